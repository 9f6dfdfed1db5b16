import { test } from "node:test";
import assert from "node:assert/strict";
import { cellText, formatAge, renderTable } from "../../../engine/status/index.ts";

test("a table is aligned like the reference's: borders, one space of padding, left-aligned", () => {
  assert.equal(
    renderTable(["Build ID", "Image", "State"], [["0000000001", "fake-image", "ready"]]),
    [
      "+------------+------------+-------+",
      "| Build ID   | Image      | State |",
      "+------------+------------+-------+",
      "| 0000000001 | fake-image | ready |",
      "+------------+------------+-------+",
    ].join("\n"),
  );
});

test("an empty table is the header between two borders and a closing border", () => {
  assert.equal(renderTable(["ID", "Server ID"], []), ["+----+-----------+", "| ID | Server ID |", "+----+-----------+", "+----+-----------+"].join("\n"));
});

test("ages are DD:HH:MM:SS, truncated, with days beyond two digits", () => {
  assert.equal(formatAge(1000, 1007.9), "00:00:00:07");
  assert.equal(formatAge(0, 90061), "01:01:01:01");
  assert.equal(formatAge(0, 123 * 86400 + 5), "123:00:00:05");
  assert.equal(formatAge(10, 5), "00:00:00:00");
});

test("cells: lists joined with a comma, null as None, numbers in decimal", () => {
  assert.equal(cellText(["a", "b"]), "a,b");
  assert.equal(cellText(null), "None");
  assert.equal(cellText(22), "22");
  assert.equal(cellText([]), "");
});
