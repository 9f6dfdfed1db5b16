/**
 * Content negotiation of the web API (behaviour.md §6.2): the `Accept` header against the
 * offers text/html, text/plain, application/json in that order of preference. JSON only when it
 * is the best match; anything else, no header, or a header that matches no offer, is text.
 */
import Negotiator from "negotiator";

const OFFERS = ["text/html", "text/plain", "application/json"];

export function wantsJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return new Negotiator({ headers: { accept } }).mediaType(OFFERS) === "application/json";
}
