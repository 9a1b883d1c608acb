-- Tests only: what a token module (Jitsi's mod_auth_token) leaves on a session, so that
-- mod_tether_events can report the JWT's context.user.id. The id is "uid-<username>".
module:hook("authentication-success", function (event)
	local session = event.session;
	session.jitsi_meet_context_user = { id = "uid-" .. session.username };
end);
