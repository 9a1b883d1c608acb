// A coaching page's body as the server rendered it (POST /api/admin/coaching/preview answers
// "nodes": text, or { tag, children, href?, start? }), drawn element by element: no HTML
// string is ever put into the page. Only the tags the server makes are drawn; a link only
// to https:, mailto:, tel: or a path on this site (the server already made sure).
import { h } from "/static/vendor/preact-htm.js";

const TAGS = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em",
  "strong", "a", "blockquote", "code", "hr", "br"]);
const SAFE_LINK = /^(https:|mailto:|tel:|\/(?!\/)|#)/i;

function props(node) {
  if (node.tag === "a") {
    return SAFE_LINK.test(node.href || "") ? { href: node.href, target: "_blank",
      rel: "noopener noreferrer" } : null;
  }
  if (node.tag === "ol" && /^[0-9]+$/.test(String(node.start || ""))) return { start: node.start };
  return {};
}

export function drawn(list) {
  return (list || []).map((node) => {
    if (typeof node === "string") return node;
    if (!node || !TAGS.has(node.tag)) return null;
    const attrs = props(node);
    const children = drawn(node.children);
    if (attrs === null) return h("span", null, ...children);  // a link elsewhere: its words
    return node.tag === "hr" || node.tag === "br" ? h(node.tag, null) : h(node.tag, attrs, ...children);
  });
}
