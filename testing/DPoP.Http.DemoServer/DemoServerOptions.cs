namespace DPoP.Http.DemoServer;

/// <summary>
/// Settings of a <see cref="DemoServer"/>. They are read once, when <see cref="DemoServer.StartAsync"/> runs;
/// changing them afterwards has no effect on a running server (except the state of <see cref="TimeProvider"/>,
/// which the server keeps asking for the time).
/// </summary>
public sealed class DemoServerOptions
{
    /// <summary>
    /// Whether the token endpoint demands a server nonce in every proof (RFC 9449 §8): a proof without one, or with
    /// an unknown or stale one, gets <c>400 use_dpop_nonce</c> and a fresh <c>DPoP-Nonce</c>. On by default.
    /// </summary>
    public bool RequireNonceAtTokenEndpoint { get; set; } = true;

    /// <summary>
    /// Whether the resource server demands its own nonce in every proof (RFC 9449 §9): a proof without one, or with
    /// an unknown or stale one, gets <c>401</c> with <c>WWW-Authenticate: DPoP error="use_dpop_nonce"</c>. On by default.
    /// </summary>
    public bool RequireNonceAtResource { get; set; } = true;

    /// <summary>
    /// How long a nonce stays current before the next request rotates it. The current and the previous nonce are
    /// accepted, so a nonce is good for at least this long and at most twice this long. One minute by default.
    /// </summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far a proof's <c>iat</c> may lie in the past or in the future of the server's clock, and how long its
    /// <c>jti</c> is remembered to detect replays. One minute by default.
    /// </summary>
    public TimeSpan ProofLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The lifetime of the access tokens the token endpoint issues (<c>expires_in</c>). Five minutes by default.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The JWS algorithms accepted in proofs (case-sensitive). By default ES256, ES384, ES512, RS256, RS384, RS512,
    /// PS256, PS384 and PS512. <c>none</c> and the HMAC algorithms are always refused, whatever this list says.
    /// </summary>
    public IList<string> AllowedAlgorithms { get; } =
        ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    /// <summary>
    /// The confidential clients the token endpoint knows: client_id to client_secret.
    /// By default one client, <c>demo-client</c> with secret <c>demo-secret</c>.
    /// </summary>
    public IDictionary<string, string> Clients { get; } =
        new Dictionary<string, string>(StringComparer.Ordinal) { ["demo-client"] = "demo-secret" };

    /// <summary>
    /// The server's clock: proof <c>iat</c> windows, nonce rotation, replay-cache expiry and access-token
    /// <c>iat</c>/<c>exp</c> all read it. <see cref="System.TimeProvider.System"/> by default; tests pass a fake one.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The TCP port to listen on at 127.0.0.1; 0 (the default) lets the system pick a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// When true, the token endpoint answers <c>token_type</c> <c>Bearer</c> with a token that has no <c>cnf</c>
    /// (not bound to the proof's key), as a server that ignores DPoP would. For negative tests of clients; the
    /// resource server still accepts only DPoP-bound tokens, so such a token is refused there. Off by default.
    /// </summary>
    public bool IssueBearerTokens { get; set; }

    /// <summary>
    /// Called synchronously, on the request's thread, for every event the server records (see
    /// <see cref="DemoServerEvent"/>). It may be called from many threads at once; an exception it throws fails
    /// the request with status 500.
    /// </summary>
    public Action<DemoServerEvent>? OnEvent { get; set; }
}
