// Unsaved forms survive leaving for another section: what was typed waits here until the
// form comes back, and closing the tab while something is unsaved asks first.
import { useEffect, useRef } from "/static/vendor/preact-htm.js";

const drafts = new Map();  // a form's key ("client:client-001") -> its state when left

export function takeDraft(key) {
  const draft = drafts.get(key) || null;
  drafts.delete(key);
  return draft;
}

function warn(event) {
  event.preventDefault();
  event.returnValue = "";
}

// snapshot: the state to restore, or null when nothing is unsaved; the answer forgets it
// at once (a saved form that is leaving)
export function useKeepDraft(key, snapshot) {
  const latest = useRef(snapshot);
  latest.current = snapshot;
  useEffect(() => () => {
    if (latest.current) drafts.set(key, latest.current);
  }, [key]);
  useEffect(() => {
    if (!snapshot) return undefined;
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [!!snapshot]);
  return () => { latest.current = null; };
}
