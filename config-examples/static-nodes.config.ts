// Pre-existing hosts registered as nodes by the static driver: a rack of build machines, each
// offering labels by handle, plus a Windows host reached over WinRM.
import { defineConfig, label } from "nodepool/dsl";

const bionic = label({ name: "ubuntu-bionic-metal" });
const gpu = label({ name: "gpu" });
const windows = label({ name: "windows-2019" });

const rack = ["build01.rack1.example.org", "build02.rack1.example.org", "build03.rack1.example.org"];

export default defineConfig({
  "zookeeper-servers": [{ host: "zk1.example.org" }],
  labels: [bionic, gpu, windows],
  providers: [
    {
      name: "static-rack",
      driver: "static",
      pools: [
        {
          name: "main",
          nodes: [
            ...rack.map((host) => ({ name: host, labels: [bionic.name], username: "zuul", "max-parallel-jobs": 2 })),
            { name: "gpu01.rack1.example.org", labels: [bionic.name, gpu.name], timeout: 15 },
            {
              name: "win01.rack1.example.org",
              labels: [windows.name],
              username: "Administrator",
              "connection-type": "winrm",
              "connection-port": 5986,
            },
          ],
        },
      ],
    },
  ],
});
