/** The `fake` driver: a simulated OpenStack-like cloud for tests, demos and benchmarks (§3C). */
export { FakeProvider, fakeCloudSettings } from "./provider.ts";
export { FakeCloud, fakeCloud, resetFakeClouds, defaultFakeCloudSettings, type FakeCloudSettings, type FakeServer } from "./cloud.ts";
