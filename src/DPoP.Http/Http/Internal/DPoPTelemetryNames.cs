namespace DPoP.Http.Internal;

/// <summary>
/// The telemetry contract of both packages, defined once: the meter, the activity source, every instrument, span,
/// tag and log category name. Values of the <c>dpop.</c> tags come from closed sets (or are the client's or scheme's
/// name, which the app chose); <c>error.type</c> is bounded by <see cref="OAuthErrorTypes"/>. docs/articles/operations
/// (observability.md, log-events.md) documents each name, and tests/DPoP.Http.Docs.Tests fails when one is missing.
/// </summary>
internal static class DPoPTelemetryNames
{
    /// <summary>The one meter both packages measure on.</summary>
    public const string Meter = "DPoP.Http";

    /// <summary>The one activity source both packages trace on (<see cref="DPoPActivities.Source"/>).</summary>
    public const string ActivitySource = "DPoP.Http";

    // Log categories: public names, stable whatever internal type writes the event.

    /// <summary>Handler events (ids 1–99).</summary>
    public const string HandlerLogCategory = "DPoP.Http.DPoPDelegatingHandler";

    /// <summary>Token cache and renewal events of client credentials and token exchange tokens (ids 100–109, 120–129).</summary>
    public const string TokensLogCategory = "DPoP.Http.Tokens";

    /// <summary>Token endpoint request events (ids 110–119).</summary>
    public const string TokenClientLogCategory = "DPoP.Http.DPoPTokenClient";

    /// <summary>ASP.NET Core package events (ids 200–299).</summary>
    public const string WebLogCategory = "DPoP.Http.AspNetCore";

    // Instruments.

    /// <summary>Counter: proofs created.</summary>
    public const string ProofsCreated = "dpop.proofs.created";

    /// <summary>Counter: <c>use_dpop_nonce</c> answers.</summary>
    public const string NonceChallenges = "dpop.nonce.challenges";

    /// <summary>Counter: requests resent after a nonce challenge.</summary>
    public const string Retries = "dpop.retries";

    /// <summary>Counter: nonce challenges returned unretried.</summary>
    public const string RetriesRefused = "dpop.retries.refused";

    /// <summary>Counter: redirects followed.</summary>
    public const string Redirects = "dpop.redirects";

    /// <summary>Counter: invalid <c>DPoP-Nonce</c> headers ignored.</summary>
    public const string NoncesRejected = "dpop.nonces.rejected";

    /// <summary>Counter: token requests.</summary>
    public const string TokenRequests = "dpop.token.requests";

    /// <summary>Histogram: token request durations.</summary>
    public const string TokenRequestDuration = "dpop.token.request.duration";

    /// <summary>Counter: token cache lookups.</summary>
    public const string TokenCacheLookups = "dpop.token.cache.lookups";

    /// <summary>Counter: authorization codes redeemed at sign-in.</summary>
    public const string CodeExchanges = "dpop.code_exchanges";

    /// <summary>Counter: refresh grants for user sessions.</summary>
    public const string UserTokenRefreshes = "dpop.user_token.refreshes";

    /// <summary>Counter: refresh tokens revoked when a session ends.</summary>
    public const string UserTokenRevocations = "dpop.user_token.revocations";

    /// <summary>Counter: user sessions found unusable.</summary>
    public const string UserSessionsExpired = "dpop.user_sessions.expired";

    // Spans.

    /// <summary>Getting an access token for a request (or through the public token API): from the cache or a renewal.</summary>
    public const string TokenAcquireSpan = "dpop.token.acquire";

    /// <summary>One token request (any grant) to the token endpoint, its nonce resend included.</summary>
    public const string TokenRequestSpan = "dpop.token.request";

    /// <summary>One revocation request (RFC 7009).</summary>
    public const string TokenRevokeSpan = "dpop.token.revoke";

    /// <summary>A request sent again with a new proof after a <c>use_dpop_nonce</c> challenge.</summary>
    public const string NonceRetrySpan = "dpop.nonce_retry";

    /// <summary>A redirect hop followed by the DPoP handler, with a new proof.</summary>
    public const string RedirectSpan = "dpop.redirect";

    // Tags.

    /// <summary>The API client's name (the HttpClient name), never a derived token endpoint client's.</summary>
    public const string Client = "dpop.client";

    /// <summary>The OpenID Connect scheme of the ASP.NET Core package.</summary>
    public const string Scheme = "dpop.scheme";

    /// <summary><c>success</c> or <c>failure</c>.</summary>
    public const string Outcome = "dpop.outcome";

    /// <summary>Why something happened, from a closed set (an enum name or a constant).</summary>
    public const string Reason = "dpop.reason";

    /// <summary>The grant type of a token request.</summary>
    public const string GrantType = "dpop.grant_type";

    /// <summary><c>authorization_server</c> or <c>resource_server</c>.</summary>
    public const string ChallengeSource = "dpop.challenge.source";

    /// <summary><c>memory</c> or <c>shared</c>.</summary>
    public const string CacheTier = "dpop.cache.tier";

    /// <summary><c>hit</c> or <c>miss</c>.</summary>
    public const string CacheResult = "dpop.cache.result";

    /// <summary>Whether an acquisition was served from the cache.</summary>
    public const string TokenCacheHit = "dpop.token.cache_hit";

    /// <summary>Whether the token obtained is DPoP-bound.</summary>
    public const string TokenDPoPBound = "dpop.token.dpop_bound";

    /// <summary>A redirect's status code.</summary>
    public const string RedirectStatusCode = "dpop.redirect.status_code";

    /// <summary>A redirect's hop number.</summary>
    public const string RedirectHop = "dpop.redirect.hop";

    /// <summary>Whether a redirect left the origin.</summary>
    public const string RedirectCrossOrigin = "dpop.redirect.cross_origin";

    /// <summary>OpenTelemetry's bounded error type.</summary>
    public const string ErrorType = "error.type";

    /// <summary><c>success</c> value of <see cref="Outcome"/>.</summary>
    public const string Success = "success";

    /// <summary><c>failure</c> value of <see cref="Outcome"/>.</summary>
    public const string Failure = "failure";
}
