-- mod_tether_events: tells Tether who joins, leaves, drops and comes back, within seconds.
--
-- Tether's own module, written for Prosody 0.12. Load it on the conference (MUC) component only;
-- it follows the breakout and lobby MUC components named in its options, and the
-- VirtualHosts' sessions (stream management hibernation, session ends) by itself:
--
--   Component "conference.meet.example.org" "muc"
--       modules_enabled = { "tether_events" }
--       tether_url = "https://tether.example.org/webhooks/jitsi"
--       tether_secret = "the value of JITSI_WEBHOOK_SECRET"
--       tether_timeout = 10              -- seconds per attempt
--       tether_retry_for = 900           -- retry an event this long, from its own time
--       tether_retry_delay = 1           -- first backoff; doubles up to tether_retry_max_delay
--       tether_retry_max_delay = 60
--       tether_queue_size = 1000         -- events held on disk while Tether is unreachable
--       tether_switch_room_watch = 5     -- seconds a room move may take, then it is a drop
--       tether_breakout_muc = "breakout.meet.example.org"
--       tether_lobby_muc = "lobby.meet.example.org"
--
-- Every event is a JSON POST signed with HMAC-SHA256 over "<unix seconds>.<body>"
-- (X-Tether-Timestamp, X-Tether-Signature: sha256=<hex>) and carries a uuid
-- (X-Tether-Idempotency-Key and "idempotency_key"), the same on every retry and after a
-- restart. Requests go through Prosody's asynchronous net.http: nothing here waits on the
-- network while handling a stanza. See plugins/jitsi/README.md for the events and their fields.

local http = require "net.http";
local datamanager = require "util.datamanager";
local datetime = require "util.datetime";
local hashes = require "util.hashes";
local jid = require "util.jid";
local json = require "util.json";
local storagemanager = require "core.storagemanager";
local time = require "util.time";
local uuid = require "util.uuid";

local url = module:get_option_string("tether_url");
local secret = module:get_option_string("tether_secret");
local timeout = module:get_option_number("tether_timeout", 10);
local retry_for = module:get_option_number("tether_retry_for", 900);
local first_delay = module:get_option_number("tether_retry_delay", 1);
local max_delay = module:get_option_number("tether_retry_max_delay", 60);
local queue_size = module:get_option_number("tether_queue_size", 1000);
local switch_watch = module:get_option_number("tether_switch_room_watch", 5);
local breakout_muc = module:get_option_string("tether_breakout_muc");
local lobby_muc = module:get_option_string("tether_lobby_muc");

if not url or not secret or secret == "" then
	error("mod_tether_events needs tether_url and tether_secret");
end
for name, value in pairs({ tether_timeout = timeout, tether_retry_for = retry_for,
		tether_retry_delay = first_delay, tether_retry_max_delay = max_delay,
		tether_queue_size = queue_size }) do
	if not (value > 0) then error("mod_tether_events: " .. name .. " must be above 0"); end
end
if module:get_option("tether_retries") ~= nil then
	module:log("warn", "tether_retries is no longer used: each event is retried for "
		.. "tether_retry_for seconds (%gs)", retry_for);
end

local MAX_IN_FLIGHT = 4;
local NICK_XMLNS = "http://jabber.org/protocol/nick";

local function now_ms()
	return math.floor(time.now() * 1000);
end

local function stamp(ms) -- an event's own time, for log lines: 2026-01-01T17:00:00.250Z
	local s = math.floor(ms / 1000);
	return datetime.datetime(s):sub(1, -2) .. string.format(".%03dZ", math.floor(ms - s * 1000));
end

-- At most n bytes, never ending inside a UTF-8 sequence.
local function clip(s, n)
	if not s or #s <= n then return s; end
	return (s:sub(1, n):gsub("[\192-\255][\128-\191]*$", ""));
end

---------------------------------------------------------------------------------------------
-- The disk queue: every event not yet delivered is a file until Tether takes it.
--
-- Where: Prosody's own file storage ("internal" driver, util.datamanager), keyval store
-- "tether_events" of this component, one record per event, named by its idempotency key:
--   <data_path>/<component host, encoded>/tether_events/<key, encoded>.dat
-- Why this and not module:open_store(): Jitsi's configs put the conference component on
-- `storage = "memory"`, and open_store() follows that, so the queue would not outlive a
-- restart. Loading the internal driver by name keeps it on disk whatever the component's
-- storage option says. Why one record per event and not a list store: queueing writes one
-- small file, delivering removes one, and nothing rewrites the whole queue (a list store
-- can only drop its head by rewriting every item, up to tether_queue_size of them, on each
-- delivery). The writes are datamanager's: a temporary file renamed over the old one, so a
-- crash leaves the old record or the new one, never half a record (they are not fsync'ed:
-- a power cut may lose the last few). They are small synchronous writes, as Prosody's own
-- storage makes for rosters and offline messages; network I/O stays asynchronous.

local STORE = "tether_events";
local driver = storagemanager.load_driver(module.host, "internal");
local disk = driver and driver:open(STORE, "keyval");
if not disk then
	error("mod_tether_events: Prosody's internal file storage is not available");
end
local disk_path = (prosody.paths.data or "data") .. "/" .. datamanager.path_encode(module.host)
	.. "/" .. STORE;

local function persist(item)
	local ok, err = disk:set(item.key, {
		key = item.key, event = item.event, lane = item.lane, at_ms = item.at_ms,
		seq = item.seq, body = item.body,
	});
	if not ok then
		module:log("error", "could not write %s %s to %s (%s): held in memory only",
			item.event, item.key, disk_path, tostring(err));
	end
end

local function unpersist(item)
	local ok, err = disk:set(item.key, nil);
	if not ok then
		module:log("error", "could not remove %s %s from %s (%s): it may be sent again "
			.. "after a restart (Tether ignores the duplicate)", item.event, item.key, disk_path,
			tostring(err));
	end
end

---------------------------------------------------------------------------------------------
-- Delivery.
--
-- Every undelivered event is in `pending` (and on disk). Those due to be sent are in `queue`,
-- oldest first by their own time; they go out a few at a time, but never two of one room at
-- once, so Tether gets each room's events in order (a drop before the leave that ends its
-- hibernation: the drop's time is the one that counts).
-- Tether unreachable (no connection, a timeout, 408, 429, 502, 503, 504): only the oldest
-- event is retried, with capped exponential backoff (and at once when a new event comes,
-- at most once per tether_retry_delay); when it goes through, the rest follow in order.
-- Tether answering another 5xx: that event alone steps aside and is retried with its own
-- backoff, so one event it cannot take never holds up the others. Any other answer outside
-- 2xx is a refusal: logged and dropped. An event still undelivered tether_retry_for seconds
-- after its own time is dropped, with a log line, at its next failed attempt.

local pending, count = {}, 0; -- key -> item; how many (the disk queue's length)
local queue = {};             -- items to send, oldest first
local busy = {};              -- lane (main room jid) -> true while one of its events is sent
local in_flight = 0;
local seq = 0;                -- orders events of the same millisecond
local down = nil;             -- while Tether is unreachable: { since, delay, last, why, timer }
local probing = false;        -- the one retry sent while down is on its way
local stopping = false;       -- Prosody is shutting down: what fails now waits for the next start
local pump;

local LAST_TO_DROP = { ["occupant.left"] = true, ["occupant.interrupted"] = true };
local UNREACHABLE = { [0] = true, [408] = true, [429] = true, [502] = true, [503] = true,
	[504] = true };

local function older(a, b)
	if a.at_ms ~= b.at_ms then return a.at_ms < b.at_ms; end
	return a.seq < b.seq;
end

local function age_s(item)
	return math.max(0, (now_ms() - item.at_ms) / 1000);
end

local function enqueue(item)
	local i = #queue;
	while i > 0 and older(item, queue[i]) do i = i - 1; end
	table.insert(queue, i + 1, item);
end

local function dequeue(item)
	for i, queued in ipairs(queue) do
		if queued == item then table.remove(queue, i); return; end
	end
end

-- The event leaves the queue for good: delivered, refused, given up on or shed.
local function finish(item)
	if item.finished then return; end
	item.finished = true;
	pending[item.key] = nil;
	count = count - 1;
	dequeue(item);
	if item.aside then item.aside:stop(); item.aside = nil; end
	unpersist(item);
end

local function drop(item, why, ...)
	module:log("error", "dropped %s %s of %s: " .. why, item.event, item.key, stamp(item.at_ms),
		...);
	finish(item);
end

local function give_up_if_old(item, why)
	local age = age_s(item);
	if age < retry_for then return false; end
	drop(item, "gave up after %ds (tether_retry_for %gs; %d attempt(s) since Prosody started): %s",
		math.floor(age), retry_for, item.attempts, why);
	return true;
end

local function schedule_probe()
	if not down or down.timer or probing then return; end
	local this = down;
	this.timer = module:add_timer(this.delay, function ()
		if down ~= this then return; end
		this.timer = nil;
		pump();
	end);
end

local function went_down(item, why, probe)
	if not down then
		down = { since = now_ms(), delay = first_delay, last = now_ms() };
		module:log("warn", "Tether unreachable (%s): holding %d event(s) in %s", why, count,
			disk_path);
	elseif probe then
		down.delay = math.min(max_delay, down.delay * 2);
	end
	down.why = why;
	give_up_if_old(item, why);
	for i = #queue, 1, -1 do -- what has waited too long goes now, not only at its own turn
		local queued = queue[i];
		if queued and not queued.sending then
			give_up_if_old(queued, "Tether unreachable: " .. why);
		end
	end
	schedule_probe();
end

local function back_up()
	if not down then return; end
	if down.timer then down.timer:stop(); end
	module:log("info", "Tether reachable again after %ds: sending %d queued event(s)",
		math.floor((now_ms() - down.since) / 1000), count);
	down = nil;
end

local function set_aside(item, why)
	if give_up_if_old(item, why) then return; end
	dequeue(item);
	item.failures = item.failures + 1;
	local delay = math.min(max_delay, first_delay * 2 ^ (item.failures - 1));
	module:log(item.failures == 1 and "warn" or "debug", "%s %s refused for now (%s): retry in %gs",
		item.event, item.key, why, delay);
	item.aside = module:add_timer(delay, function ()
		item.aside = nil;
		if item.finished then return; end
		enqueue(item);
		pump();
	end);
end

local function settled(item, code, why, probe)
	item.sending = false;
	busy[item.lane] = nil;
	in_flight = in_flight - 1;
	if probe then probing = false; end
	if stopping and (code < 200 or code >= 300) then
		return; -- cut short by the shutdown, most likely: it stays on disk for the next start
	elseif item.finished then -- shed from a full queue while on its way
		module:log("debug", "%s %s (shed) answered: %s", item.event, item.key, why);
	elseif code >= 200 and code < 300 then
		module:log("debug", "delivered %s %s", item.event, item.key);
		finish(item);
		back_up();
	elseif UNREACHABLE[code] then
		module:log("debug", "%s %s failed (%s)", item.event, item.key, why);
		went_down(item, why, probe);
	elseif code >= 500 then
		back_up(); -- it answered
		set_aside(item, why);
	else
		back_up();
		drop(item, "refused by Tether (%s), not retried", why);
	end
	pump();
end

local function send(item, probe)
	item.sending = true;
	busy[item.lane] = true;
	in_flight = in_flight + 1;
	item.attempts = item.attempts + 1;
	if probe then probing = true; end
	local ts = tostring(os.time());
	local signature = hashes.hmac_sha256(secret, ts .. "." .. item.body, true);
	local done, request, timer = false, nil, nil;
	local function finish_attempt(code, why)
		if done then return; end
		done = true;
		if timer then timer:stop(); end
		settled(item, code, why, probe);
	end
	timer = module:add_timer(timeout, function ()
		timer = nil;
		if done then return; end
		finish_attempt(0, "timed out after " .. timeout .. "s");
		if request then http.destroy_request(request); end
	end);
	request = http.request(url, {
		method = "POST";
		body = item.body;
		headers = {
			["Content-Type"] = "application/json";
			["X-Tether-Timestamp"] = ts;
			["X-Tether-Signature"] = "sha256=" .. signature;
			["X-Tether-Idempotency-Key"] = item.key;
		};
	}, function (body, code)
		if type(code) ~= "number" then code = 0; end
		finish_attempt(code, code == 0 and tostring(body) or ("HTTP " .. code));
	end);
end

function pump()
	if down then -- only the oldest event, once its backoff is over
		if probing or down.timer or in_flight >= MAX_IN_FLIGHT then return; end
		for _, item in ipairs(queue) do
			if not item.sending and not busy[item.lane] then
				down.last = now_ms();
				send(item, true);
				return;
			end
		end
		if count == 0 then down = nil; end -- nothing left to hold
		return;
	end
	local picked, lanes = {}, {};
	for _, item in ipairs(queue) do
		if in_flight + #picked >= MAX_IN_FLIGHT then break; end
		if not item.sending and not busy[item.lane] and not lanes[item.lane] then
			lanes[item.lane] = true;
			picked[#picked + 1] = item;
		end
	end
	for _, item in ipairs(picked) do -- an answer may come at once and change the queue
		if not item.finished and not item.sending and not busy[item.lane] then send(item); end
	end
end

-- A new event while Tether is unreachable: try the oldest now rather than at the end of a
-- long backoff, at most once per tether_retry_delay.
local function nudge()
	if down and down.timer and not probing and now_ms() - down.last >= first_delay * 1000 then
		down.timer:stop();
		down.timer = nil;
	end
	pump();
end

-- The event to shed from a full queue: the oldest that is neither a leave nor a drop, else
-- the oldest of all (a leave or a drop starts a callback: the last thing to let go of).
local function victim_for(new)
	local best, best_leave = nil, nil;
	local function consider(item)
		if LAST_TO_DROP[item.event] then
			if not best_leave or older(item, best_leave) then best_leave = item; end
		elseif not best or older(item, best) then
			best = item;
		end
	end
	for _, item in pairs(pending) do consider(item); end
	consider(new);
	return best or best_leave;
end

local function make_item(fields)
	seq = seq + 1;
	return { key = fields.idempotency_key, event = fields.event, lane = fields.room_jid or "",
		at_ms = fields.at_ms, seq = seq, body = json.encode(fields), attempts = 0, failures = 0 };
end

local function post(fields)
	fields.idempotency_key = uuid.generate();
	fields.at_ms = fields.at_ms or now_ms();
	local item = make_item(fields);
	while count >= queue_size do
		local victim = victim_for(item);
		module:log("error", "queue full (%d): dropped %s %s of %s", queue_size, victim.event,
			victim.key, stamp(victim.at_ms));
		if victim == item then return; end
		finish(victim); -- if it is on its way, its answer is ignored
	end
	pending[item.key] = item;
	count = count + 1;
	persist(item);
	enqueue(item);
	module:log("debug", "queued %s %s of %s (%d waiting)", item.event, item.key, stamp(item.at_ms),
		count);
	nudge();
end

-- Events a previous run left on disk: sent again, each with its own body (its own time and
-- idempotency key), oldest first. Tether ignores those it already had.
local function replay()
	local keys = {};
	for key in disk:users() do keys[#keys + 1] = key; end
	local loaded = {};
	for _, key in ipairs(keys) do
		local rec, err = disk:get(key);
		if type(rec) == "table" and rec.key == key and type(rec.body) == "string"
				and type(rec.event) == "string" and type(rec.at_ms) == "number" then
			loaded[#loaded + 1] = { key = key, event = rec.event, lane = rec.lane or "",
				at_ms = rec.at_ms, seq = tonumber(rec.seq) or 0, body = rec.body, attempts = 0,
				failures = 0 };
		else
			module:log("error", "dropped unreadable queued event %s in %s (%s)", key, disk_path,
				tostring(err or "not an event"));
			disk:set(key, nil);
		end
	end
	if #loaded == 0 then return; end
	table.sort(loaded, older);
	for _, item in ipairs(loaded) do
		seq = math.max(seq, item.seq);
		pending[item.key] = item;
		count = count + 1;
		enqueue(item);
	end
	module:log("info", "replaying %d event(s) queued before this start, oldest %s of %s",
		#loaded, loaded[1].event, stamp(loaded[1].at_ms));
	while count > queue_size do -- tether_queue_size was lowered
		local victim = victim_for(queue[#queue]);
		module:log("error", "queue full (%d): dropped %s %s of %s", queue_size, victim.event,
			victim.key, stamp(victim.at_ms));
		finish(victim);
	end
end

local function report_held(when)
	if count > 0 then
		module:log("warn", "%s with %d event(s) not delivered: they stay in %s and are sent "
			.. "when the module starts again", when, count, disk_path);
	end
end

function module.unload()
	report_held("unloading");
end

module:hook_global("server-stopping", function () stopping = true; end);
module:hook_global("server-stopped", function () report_held("stopping"); end);

---------------------------------------------------------------------------------------------
-- What we remember about rooms and occupants (all cleared as they go).

local started = {};       -- main room jid -> ms it was first seen (the session's start)
local breakout_main = {}; -- breakout room jid -> its main room jid
local last_main = {};     -- real jid -> the main room jid it joined last
local people = {};        -- room jid -> nick -> { id, name, user_id, jid }
local sessions = {};      -- real jid -> room jid -> nick
local unbinding = {};     -- real jid -> { reason, detail } while its session ends
local interrupted = {};   -- real jid -> ms its connection went (hibernation started)

local function kind_of(room_jid)
	local host = jid.host(room_jid);
	if breakout_muc and host == breakout_muc then return "breakout"; end
	if lobby_muc and host == lobby_muc then return "lobby"; end
	return "main";
end

local function is_health_check(room_jid)
	return (jid.node(room_jid) or ""):find("^__jicofo%-health%-check") ~= nil;
end

local function is_focus(occupant)
	return select(3, jid.split(occupant.nick)) == "focus"
		or jid.node(occupant.bare_jid or occupant.jid or "") == "focus";
end

local function main_room_of(room_jid, room, real_jid)
	local main = breakout_main[room_jid];
	if main then return main; end
	local data = room and room._data or {};
	main = data.main_room; -- where Jitsi's breakout module keeps the main room
	if type(main) == "table" then main = main.jid; end
	if type(main) ~= "string" then
		main = real_jid and last_main[real_jid];
	end
	breakout_main[room_jid] = main;
	return main;
end

-- The room fields of an event, or nil when a breakout room's main room is unknown.
local function where(room_jid, room, real_jid)
	local kind = kind_of(room_jid);
	local main = room_jid;
	if kind == "breakout" then
		main = main_room_of(room_jid, room, real_jid);
		if not main then
			module:log("warn", "breakout room %s: main room unknown, event not sent", room_jid);
			return nil, kind;
		end
	elseif kind == "lobby" then -- the lobby of room@conference is room@lobby
		main = jid.join(jid.node(room_jid), module.host);
	end
	return {
		room = jid.node(main);
		room_jid = main;
		is_breakout = kind == "breakout";
		breakout_room_id = kind == "breakout" and jid.node(room_jid) or nil;
		session_started_ms = started[main];
	}, kind;
end

local function user_id_of(real_jid, origin)
	local session = origin or prosody.full_sessions[real_jid];
	local user = session and session.jitsi_meet_context_user;
	return user and user.id and tostring(user.id) or nil;
end

local function remember(room_jid, occupant, stanza, origin)
	local nick = select(3, jid.split(occupant.nick));
	local presence = stanza or occupant:get_presence();
	local who = {
		id = nick;
		name = clip(presence and presence:get_child_text("nick", NICK_XMLNS) or "", 400);
		user_id = user_id_of(occupant.jid, origin);
		jid = occupant.jid;
	};
	people[room_jid] = people[room_jid] or {};
	people[room_jid][nick] = who;
	sessions[occupant.jid] = sessions[occupant.jid] or {};
	sessions[occupant.jid][room_jid] = nick;
	return who;
end

local function forget(room_jid, occupant)
	local nick = select(3, jid.split(occupant.nick));
	local who = people[room_jid] and people[room_jid][nick];
	if who then people[room_jid][nick] = nil; end
	local real_jid = who and who.jid or occupant.jid;
	local rooms = real_jid and sessions[real_jid];
	if rooms then
		rooms[room_jid] = nil;
		if next(rooms) == nil then sessions[real_jid] = nil; end
	end
	return who or { id = nick };
end

local function occupant_fields(who)
	return { id = who.id, name = who.name, user_id = who.user_id };
end

---------------------------------------------------------------------------------------------
-- Why an occupant left.

local function leave_reason(event)
	local room, occupant = event.room, event.occupant;
	local ending = occupant.jid and unbinding[occupant.jid];
	if ending then return ending.reason, ending.detail; end
	local presence = occupant:get_presence();
	local status = presence and presence:get_child_text("status") or "";
	if event.stanza == nil then -- the room removed them: no presence of their own
		if room.destroying then return "room_destroyed"; end
		if presence and presence.attr.type == "unavailable" then
			return "disconnected", clip(status, 200); -- a presence error bounced ("Kicked: ...")
		end
		return "kicked"; -- role none (status 307) or banned (301) by a moderator
	end
	if status == "switch_room" then return "switch_room"; end
	if status == "unrecoverable_error" or status:find("^Disconnected:") then
		return "disconnected", clip(status, 200);
	end
	return "left";
end

---------------------------------------------------------------------------------------------
-- Room moves. jitsi-meet moves a participant between the main room and a breakout room by
-- leaving one (status switch_room) and joining the other. If the connection goes in between,
-- they are in no room, so no later leave or drop names them. So a switch_room leave starts a
-- watch: unless the same session (real JID) joins a main or breakout room within
-- tether_switch_room_watch seconds (the target, or back where it was: either way it is still
-- connected), the module posts an occupant.left "disconnected" for that room, dated at the
-- switch_room leave.

local moving = {}; -- real jid -> { timer } while a move is watched

local function in_a_room(real_jid) -- a main or breakout room, not a lobby
	for room_jid in pairs(sessions[real_jid] or {}) do
		if kind_of(room_jid) ~= "lobby" then return true; end
	end
	return false;
end

local function arrived(real_jid)
	local watch = real_jid and moving[real_jid];
	if not watch then return; end
	moving[real_jid] = nil;
	watch.timer:stop();
end

local function watch_move(real_jid, left)
	if not real_jid or not (switch_watch > 0) then return; end
	arrived(real_jid); -- a watch already running for this session: the newer move counts
	local watch = {};
	watch.timer = module:add_timer(switch_watch, function ()
		if moving[real_jid] ~= watch then return; end
		moving[real_jid] = nil;
		if in_a_room(real_jid) then return; end -- it joined the other room first
		local fields = {};
		for k, v in pairs(left) do fields[k] = v; end
		fields.idempotency_key = nil; -- a new event, with the leave's own time (at_ms)
		fields.reason = "disconnected";
		fields.detail = string.format("switch_room, then not in any room within %gs",
			switch_watch);
		module:log("info", "%s left %s to switch rooms and did not arrive within %gs: "
			.. "reported as disconnected", left.occupant.id,
			left.is_breakout and left.breakout_room_id or left.room_jid, switch_watch);
		post(fields);
	end);
	moving[real_jid] = watch;
end

---------------------------------------------------------------------------------------------
-- MUC events (main, breakout and lobby components).

local function on_joined(event)
	local room, occupant = event.room, event.occupant;
	if is_health_check(room.jid) then return; end
	local kind = kind_of(room.jid);
	if kind == "main" then
		started[room.jid] = started[room.jid] or now_ms();
		last_main[occupant.jid] = room.jid;
	end
	if is_focus(occupant) then return; end
	if kind ~= "lobby" then arrived(occupant.jid); end
	local who = remember(room.jid, occupant, event.stanza, event.origin);
	local fields = where(room.jid, room, occupant.jid);
	if not fields then return; end
	fields.event = kind == "lobby" and "lobby.knock" or "occupant.joined";
	fields.occupant = occupant_fields(who);
	post(fields);
end

local function on_left(event)
	local room, occupant = event.room, event.occupant;
	if is_health_check(room.jid) or is_focus(occupant) then return; end
	local who = forget(room.jid, occupant);
	local fields, kind = where(room.jid, room, occupant.jid);
	if not fields then return; end
	fields.event = kind == "lobby" and "lobby.left" or "occupant.left";
	fields.reason, fields.detail = leave_reason(event);
	fields.occupant = occupant_fields(who);
	post(fields);
	if fields.reason == "switch_room" and kind ~= "lobby" then
		watch_move(occupant.jid, fields);
	end
end

local function on_created(event)
	local room = event.room;
	if is_health_check(room.jid) then return; end
	local creator = event.creator and event.creator.jid;
	local fields, kind = where(room.jid, room, creator);
	if not fields or kind == "lobby" then return; end
	fields.event = kind == "breakout" and "breakout.created" or "room.created";
	post(fields);
end

local function on_destroyed(event)
	local room = event.room;
	people[room.jid] = nil;
	if is_health_check(room.jid) then return; end
	local fields, kind = where(room.jid, room, nil);
	if kind == "breakout" then breakout_main[room.jid] = nil; end
	if kind == "main" then started[room.jid] = nil; end
	if not fields or kind == "lobby" then return; end
	fields.event = kind == "breakout" and "breakout.destroyed" or "room.destroyed";
	post(fields);
end

local function hook_muc(api)
	api:hook("muc-occupant-joined", on_joined);
	api:hook("muc-occupant-left", on_left); -- before mod_muc destroys an empty room (-1)
	api:hook("muc-room-created", on_created, -1);
	api:hook("muc-room-destroyed", on_destroyed, 1);
end

---------------------------------------------------------------------------------------------
-- Session events (VirtualHosts): a connection gone, back, or a session ending.

local function each_room_of(real_jid, fn)
	local rooms = sessions[real_jid];
	if not rooms then return; end
	for room_jid, nick in pairs(rooms) do
		local who = people[room_jid] and people[room_jid][nick];
		if who and kind_of(room_jid) ~= "lobby" then fn(room_jid, who); end
	end
end

local function post_for_rooms(real_jid, name, extra)
	each_room_of(real_jid, function (room_jid, who)
		local fields = where(room_jid, nil, real_jid);
		if not fields then return; end
		fields.event = name;
		fields.occupant = occupant_fields(who);
		for k, v in pairs(extra) do fields[k] = v; end
		post(fields);
	end);
end

-- mod_smacks hibernates the session instead of ending it: the client's connection is gone.
local function on_hibernation_start(event)
	local real_jid = event.origin and event.origin.full_jid;
	if not real_jid or not sessions[real_jid] then return; end
	local at = now_ms();
	interrupted[real_jid] = at;
	post_for_rooms(real_jid, "occupant.interrupted", { at_ms = at });
end

-- The client resumed its hibernating session: same session, same nick, same rooms.
local function on_hibernation_end(event)
	local session = event.resumed or event.origin;
	local real_jid = session and session.full_jid;
	local since = real_jid and interrupted[real_jid];
	if not since then return; end -- resumed before we reported anything
	interrupted[real_jid] = nil;
	post_for_rooms(real_jid, "occupant.restored", { interrupted_at_ms = since });
end

-- The session really ends (after mod_smacks, which stops this event when it hibernates).
-- error false: the client closed its stream; nil: the connection closed without that;
-- a string: an error ("Hibernating too long", a reset, a timeout).
local function on_pre_unbind(event)
	local real_jid = event.session and event.session.full_jid;
	if not real_jid or not sessions[real_jid] then return; end
	interrupted[real_jid] = nil;
	local err = event.error;
	local ending = {
		reason = err == false and "left" or "disconnected";
		detail = err and clip(tostring(err), 200) or (err == nil and "connection closed" or nil);
	};
	unbinding[real_jid] = ending;
	module:add_timer(30, function ()
		if unbinding[real_jid] == ending then unbinding[real_jid] = nil; end
	end);
end

local function on_resource_unbind(event)
	local real_jid = event.session and event.session.full_jid;
	if real_jid then last_main[real_jid] = nil; end
end

---------------------------------------------------------------------------------------------
-- Wiring: this component, the named MUC components, every VirtualHost.

local hooked = {};

local function hook_host(host)
	if hooked[host] or not prosody.hosts[host] then return; end
	if host == breakout_muc or host == lobby_muc then
		hooked[host] = true;
		hook_muc(module:context(host));
	elseif prosody.hosts[host].type == "local" then
		hooked[host] = true;
		local api = module:context(host);
		api:hook("pre-resource-unbind", on_pre_unbind, -10);
		api:hook("resource-unbind", on_resource_unbind, -10);
		api:hook("smacks-hibernation-start", on_hibernation_start);
		api:hook("smacks-hibernation-end", on_hibernation_end);
	end
end

hooked[module.host] = true;
hook_muc(module);
for host in pairs(prosody.hosts) do hook_host(host); end
module:hook_global("host-activated", hook_host);

replay();
module:add_timer(0, function () pump(); end); -- replayed events go once the server runs

module:log("info", "posting events to %s (breakout MUC %s, lobby MUC %s); undelivered events "
	.. "wait in %s (at most %d, retried for %gs, backoff %g s to %g s)", url,
	breakout_muc or "none", lobby_muc or "none", disk_path, queue_size, retry_for, first_delay,
	max_delay);
