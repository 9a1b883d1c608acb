// The page's place is its hash: "#clients/client-001" is the clients section, record
// client-001. Going somewhere is setting the hash (the back button works).

export function route(keys) {
  const hash = decodeURIComponent(window.location.hash.slice(1));
  const [key, ...rest] = hash.split("/");
  const known = keys.includes(key);
  return { key: known ? key : keys[0], rest: known ? rest.join("/") : "" };
}

export function go(key, rest) {
  window.location.hash = "#" + key + (rest ? "/" + encodeURIComponent(rest) : "");
}
