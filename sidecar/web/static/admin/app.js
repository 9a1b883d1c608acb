// The admin page's shell: who is signed in, the program's name, a section per task chosen
// from the nav (the page's hash: #clients, #clients/client-001, #directory...). Each section
// is a component of { me, route } (me: the /auth/me answer). Text from the server is text.
import { html, render, useEffect, useRef, useState } from "/static/vendor/preact-htm.js";
import { ClientsSection } from "./clients.js";
import { CoachingSection } from "./coaching.js";
import { DirectorySection } from "./directory.js";
import { GroupsSection } from "./groups.js";
import { ImportSection } from "./importer.js";
import { OnCallNow } from "./now.js";
import { OnCallSection } from "./oncall.js";
import { PoliciesSection } from "./policies.js";
import { route } from "./route.js";
import { BreakGlassSection, IncidentsSection } from "./reports.js";
import { StaffSection } from "./staff.js";

export const SECTIONS = [
  { key: "now", label: "On call now", View: OnCallNow },
  { key: "staff", label: "Staff", View: StaffSection },
  { key: "groups", label: "Groups", View: GroupsSection },
  { key: "schedule", label: "On-call schedule", View: OnCallSection },
  { key: "policies", label: "Policies", View: PoliciesSection },
  { key: "clients", label: "Clients", View: ClientsSection },
  { key: "coaching", label: "Coaching pages", View: CoachingSection },
  { key: "directory", label: "Locale directory", View: DirectorySection },
  { key: "import", label: "Import people", View: ImportSection },
  { key: "break-glass", label: "Break-glass openings", View: BreakGlassSection },
  { key: "incidents", label: "Incidents", View: IncidentsSection },
];

const here = () => route(SECTIONS.map((s) => s.key));

function Nav({ current }) {
  return html`<nav aria-label="Admin sections"><ul>
    ${SECTIONS.map((s) => html`<li key=${s.key}><a href=${"#" + s.key}
      aria-current=${s.key === current ? "page" : undefined}>${s.label}</a></li>`)}
  </ul></nav>`;
}

function Header({ me, program }) {
  return html`<header>
    <span class="title"><strong>Tether admin</strong>${" "}<span id="program">${program}</span></span>
    <span class="me"><span id="signed-in">Signed in as ${me.name}</span>${" "}
      <button id="sign-out" type="button" onClick=${() => window.tetherAuth.signOut()}>Sign out</button></span>
  </header>`;
}

function Admin({ me }) {
  const [where, setWhere] = useState(here());
  const main = useRef(null);
  const first = useRef(true);
  useEffect(() => {
    const moved = () => setWhere(here());
    window.addEventListener("hashchange", moved);
    return () => window.removeEventListener("hashchange", moved);
  }, []);
  useEffect(() => {  // a new section: say so by moving focus to its heading
    if (first.current) { first.current = false; return; }
    const heading = main.current && main.current.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }, [where.key]);
  const section = SECTIONS.find((s) => s.key === where.key);
  const View = section.View;
  return html`<${Header} me=${me} program=${me.program || ""} />
    <${Nav} current=${where.key} />
    <main ref=${main}>
      <h1 class="visually-hidden">Tether admin: ${section.label}</h1>
      <section class="panel" id=${"section-" + section.key} aria-label=${section.label}>
        <${View} key=${section.key} me=${me} route=${where.rest} />
      </section>
    </main>`;
}

async function start() {
  const root = document.getElementById("app");
  let me;
  try {
    me = await window.tetherAuth.whoami();
  } catch (err) {
    document.getElementById("error").textContent = "Tether: " + err.message;
    return;
  }
  const roles = me.roles || [];
  if (!roles.includes("admin") && !roles.includes("program_clinical_lead")) {
    document.getElementById("error").textContent = "This page is for program admins and " +
      "clinical leads; you are signed in as " + me.name + ".";
    document.body.dataset.ready = "yes";
    return;
  }
  root.replaceChildren();  // the "Loading…" line
  render(html`<${Admin} me=${me} />`, root);
  document.body.dataset.ready = "yes";
}

start();
