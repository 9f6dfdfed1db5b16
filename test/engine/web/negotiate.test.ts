import { test } from "node:test";
import assert from "node:assert/strict";
import { wantsJson } from "../../../engine/web/index.ts";

test("JSON only when application/json is the best match of the Accept header", () => {
  assert.equal(wantsJson("application/json"), true);
  assert.equal(wantsJson("text/html;q=0.1, application/json"), true);
  assert.equal(wantsJson("application/*"), true);
  assert.equal(wantsJson(undefined), false);
  assert.equal(wantsJson("*/*"), false, "a tie goes to the first offer, text/html");
  assert.equal(wantsJson("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), false);
  assert.equal(wantsJson("application/json;q=0.5, text/plain"), false);
  assert.equal(wantsJson("image/png"), false, "no offer matches: text, not an error");
});
