// Words the admin forms share: roles, consent scopes, numbers as people read them.

export const CONSENT = [
  ["callback_ladder", "May be called when we cannot reach the client"],
  ["notify_crisis", "May be told about a crisis"],
  ["receive_safety_plan", "May receive a copy of the safety plan"],
  ["responders_may_call", "Responders may phone them"],
  ["aftercare", "May get a check-in call after a crisis"],
];

export const CONSENT_WORDS = Object.fromEntries(CONSENT);

// "+13125550111" -> "(312) 555-0111"; anything else as it was written
export function phone(number) {
  const n = String(number || "");
  const m = n.match(/^\+1(\d{3})(\d{3})(\d{4})$/);
  return m ? "(" + m[1] + ") " + m[2] + "-" + m[3] : n;
}

// How a number in the directory would be read and dialled, or why it cannot be
export function callFormat(text) {
  const written = String(text || "").trim();
  if (!written) return "Nothing to dial yet: type the number first.";
  if (!/^\+?[0-9]+( [0-9]+)*$/.test(written)) {
    return "Tether cannot dial \"" + written + "\": use digits only (a + first for an " +
      "international number, single spaces between groups are fine).";
  }
  const dialled = written.replace(/ /g, "");
  if (!dialled.startsWith("+") && dialled.length > 6) {
    return "Tether cannot dial " + written + ": a full number starts with + and the " +
      "country code, like +13125550142; short numbers like 911 or 000 are dialled as written.";
  }
  return phone(dialled) + ", dialled as " + dialled;
}

// "Casey Brightwater" -> "casey-brightwater", a record id to start from
export function slug(name) {
  return String(name || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
}

// "a\n b \n\n" -> ["a", "b"]: one item a line
export function lines(text) {
  return String(text || "").split("\n").map((s) => s.trim()).filter(Boolean);
}

// "62701, 627*" -> ["62701", "627*"]
export function commaList(text) {
  return String(text || "").split(",").map((s) => s.trim()).filter(Boolean);
}
