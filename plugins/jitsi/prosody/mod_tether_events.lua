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
--       tether_retries = 5               -- after the first attempt; backoff 1, 2, 4, 8, 16 s
--       tether_queue_size = 1000         -- events held while Tether is unreachable
--       tether_breakout_muc = "breakout.meet.example.org"
--       tether_lobby_muc = "lobby.meet.example.org"
--
-- Every event is a JSON POST signed with HMAC-SHA256 over "<unix seconds>.<body>"
-- (X-Tether-Timestamp, X-Tether-Signature: sha256=<hex>) and carries a uuid
-- (X-Tether-Idempotency-Key and "idempotency_key"), the same on every retry.
-- Requests go through Prosody's asynchronous net.http: nothing here blocks a stanza.
-- See plugins/jitsi/README.md for the events and their fields.

local http = require "net.http";
local hashes = require "util.hashes";
local jid = require "util.jid";
local json = require "util.json";
local time = require "util.time";
local uuid = require "util.uuid";

local url = module:get_option_string("tether_url");
local secret = module:get_option_string("tether_secret");
local timeout = module:get_option_number("tether_timeout", 10);
local retries = module:get_option_number("tether_retries", 5);
local queue_size = module:get_option_number("tether_queue_size", 1000);
local breakout_muc = module:get_option_string("tether_breakout_muc");
local lobby_muc = module:get_option_string("tether_lobby_muc");

if not url or not secret or secret == "" then
	error("mod_tether_events needs tether_url and tether_secret");
end

local MAX_IN_FLIGHT = 4;
local MAX_BACKOFF = 30;
local NICK_XMLNS = "http://jabber.org/protocol/nick";

local function now_ms()
	return math.floor(time.now() * 1000);
end

-- At most n bytes, never ending inside a UTF-8 sequence.
local function clip(s, n)
	if not s or #s <= n then return s; end
	return (s:sub(1, n):gsub("[\192-\255][\128-\191]*$", ""));
end

---------------------------------------------------------------------------------------------
-- Delivery: a bounded queue, a few requests in flight, retries with backoff on timers.

local queue = {}; -- events waiting to be sent, oldest first
local in_flight, retrying = 0, 0;
local pump;

local function retryable(code)
	return code == 0 or code == 408 or code == 429 or code >= 500;
end

local function settled(item, code, why)
	in_flight = in_flight - 1;
	if code >= 200 and code < 300 then
		module:log("debug", "delivered %s %s", item.event, item.key);
	elseif retryable(code) and item.attempt <= retries then
		local delay = math.min(MAX_BACKOFF, 2 ^ (item.attempt - 1));
		module:log("debug", "%s %s failed (%s), retry in %ds", item.event, item.key, why, delay);
		retrying = retrying + 1;
		module:add_timer(delay, function ()
			retrying = retrying - 1;
			table.insert(queue, 1, item);
			pump();
		end);
	else
		module:log("error", "gave up on %s %s after %d attempt(s): %s", item.event, item.key,
			item.attempt, why);
	end
	pump();
end

local function send(item)
	in_flight = in_flight + 1;
	item.attempt = item.attempt + 1;
	local ts = tostring(os.time());
	local signature = hashes.hmac_sha256(secret, ts .. "." .. item.body, true);
	local done = false;
	local function finish(code, why)
		if done then return; end
		done = true;
		settled(item, code, why);
	end
	local request = http.request(url, {
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
		finish(code, code == 0 and tostring(body) or ("HTTP " .. code));
	end);
	module:add_timer(timeout, function ()
		if done then return; end
		finish(0, "timed out after " .. timeout .. "s");
		if request then http.destroy_request(request); end
	end);
end

function pump()
	while in_flight < MAX_IN_FLIGHT and queue[1] do
		send(table.remove(queue, 1));
	end
end

local LAST_TO_DROP = { ["occupant.left"] = true, ["occupant.interrupted"] = true };

local function post(fields)
	fields.idempotency_key = uuid.generate();
	fields.at_ms = fields.at_ms or now_ms();
	local item = { key = fields.idempotency_key, event = fields.event, attempt = 0,
		body = json.encode(fields) };
	if #queue + retrying >= queue_size then
		-- shed what matters least first: a drop or a leave starts a callback, so it is
		-- the last thing this queue lets go of
		local victim = 1;
		for i, queued in ipairs(queue) do
			if not LAST_TO_DROP[queued.event] then victim = i; break; end
		end
		local dropped = table.remove(queue, victim) or item;
		module:log("error", "queue full (%d): dropped %s %s", queue_size, dropped.event,
			dropped.key);
		if dropped == item then return; end
	end
	table.insert(queue, item);
	pump();
end

function module.unload()
	if #queue + retrying + in_flight > 0 then
		module:log("warn", "unloading with %d event(s) not delivered", #queue + retrying + in_flight);
	end
end

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

module:log("info", "posting events to %s (breakout MUC %s, lobby MUC %s)", url,
	breakout_muc or "none", lobby_muc or "none");
