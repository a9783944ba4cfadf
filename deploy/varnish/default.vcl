# NET Info behind Varnish (7.x): public pages, static files and images cached for every
# visitor, purged by the site when an editor publishes (netinfo.core.frontend_cache).
# `make cluster` runs it on loopback; for production, put your app servers' addresses in the
# backends and in the purgers ACL. See README, "Behind a cache".
vcl 4.1;

import directors;
import std;

probe healthz {
    .url = "/healthz";  # 200 while the app server reaches its database
    .interval = 1s;
    .timeout = 2s;
    .window = 3;
    .threshold = 2;
}

backend app1 {
    .host = "127.0.0.1";
    .port = "8001";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
}

backend app2 {
    .host = "127.0.0.1";
    .port = "8002";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
}

# Who may purge: the app servers (they send BAN after an edit commits).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
    app.add_backend(app2);
}

sub vcl_recv {
    set req.backend_hint = app.backend();

    # BAN / with "Surrogate-Key: article-12 topic-3": drop every object tagged with one of
    # them (the pages the site names in its own Surrogate-Key header). Only obj.* in the
    # expression, so the ban lurker clears them in the background.
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (req.http.Surrogate-Key !~ "^[a-z0-9-]+( [a-z0-9-]+)*$") {
            return (synth(400, "Surrogate-Key: tags separated by spaces"));
        }
        ban("obj.http.Surrogate-Key ~ (^|\s)(" + regsuball(req.http.Surrogate-Key, " ", "|") + ")(\s|$)");
        return (synth(200, "Banned"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);  # forms, feedback, suggestions, logins
    }
    # For staff, per visitor, or rate-limited: the admin and its previews, the consent
    # status and settings (they read the consent cookie), the content API (its per-client
    # rate limit), the health check, the language choice at "/" (cookie and
    # Accept-Language), review links.
    if (req.url ~ "^/(admin|api|consent|healthz|bench)(/|$)"
        || req.url ~ "^/[a-z]{2}/(preview|review|cookies)(/|$)"
        || req.url ~ "^/(\?|$)") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);  # a signed-in editor
    }
    # Public pages read no cookie: the consent and analytics cookies would otherwise make every
    # visitor who has them a cache miss.
    unset req.http.Cookie;
    # Campaign parameters change nothing on a page (the site drops them too).
    set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|fbclid|gclid|mc_[a-z]+)=[^&]*&?", "");
    set req.url = regsub(req.url, "[?&]+$", "");

    # A healthy backend: at most 10 s of stale pages while a fresh one is fetched. All
    # backends down: stale pages for as long as grace keeps them, rather than errors.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_backend_fetch {
    unset bereq.http.X-Served-By;
}

sub vcl_backend_response {
    set beresp.http.X-Served-By = beresp.backend.name;
    # Never share what sets a cookie or was not marked public by the site.
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control !~ "public") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # The TTL comes from Cache-Control (max-age or s-maxage); kept longer for grace.
    set beresp.grace = 24h;
    return (deliver);
}

sub vcl_backend_error {
    # An app server stopped between health checks: ask the other (GET and HEAD only; the
    # request may have reached it otherwise).
    if ((bereq.method == "GET" || bereq.method == "HEAD") && bereq.retries < 2) {
        return (retry);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.Surrogate-Key;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}
