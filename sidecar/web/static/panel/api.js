// Tether's API with the signed-in session (auth.js): every answer as {ok, status, data}.

export async function api(method, path, body) {
  let response;
  try {
    response = await window.tetherAuth.call(method, path, body);
  } catch (err) {
    return { ok: false, status: 0, data: { error: "Tether could not be reached" } };
  }
  const text = await response.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    data = { error: text };
  }
  return { ok: response.ok, status: response.status, data: data };
}

// The answer's data, or an Error with a sentence a clinician can read
export async function must(method, path, body) {
  const r = await api(method, path, body);
  if (!r.ok) throw new Error(sentence(r));
  return r.data;
}

export function sentence(r) {
  const said = (r.data && (r.data.error || r.data.reason)) || "";
  if (r.status === 0) return "Tether could not be reached: check the connection and try again.";
  if (r.status === 403) return said || "That is not open to you.";
  if (said && said.length < 200 && !said.startsWith("<")) return said.charAt(0).toUpperCase() + said.slice(1) + ".";
  return "Tether answered " + r.status + ": please try again.";
}

export function meetingPath(meeting, rest) {
  return "/api/meetings/" + encodeURIComponent(meeting) + rest;
}
