using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace DPoP.Http.AspNetCore;

/// <summary>
/// DPoP for one OpenID Connect scheme's sign-in and for the user tokens it yields. Named after the scheme
/// (<c>services.AddDPoPOpenIdConnect("oidc", o => …)</c>), validated at start-up.
/// </summary>
public sealed class DPoPOpenIdConnectOptions
{
    /// <summary>
    /// One key per user session (the default): generated at the challenge so the authorization request's
    /// <c>dpop_jkt</c> names it, carried to the callback inside the protected state and kept, protected with Data
    /// Protection, with the session's tokens. False: every session signs with one app-wide key, from
    /// <see cref="PrivateKey"/>/<see cref="PrivateKeyPath"/> or else from the app's <see cref="IDPoPKeyProvider"/>
    /// under <see cref="KeyName"/>.
    /// </summary>
    public bool KeyPerSession { get; set; } = true;

    /// <summary>The algorithm of per-session keys. Default <see cref="DPoPAlgorithms.ES256"/>.</summary>
    public string Algorithm { get; set; } = DPoPAlgorithms.ES256;

    /// <summary>With <see cref="KeyPerSession"/> false and no configured key: the name the app-wide key is asked for from <see cref="IDPoPKeyProvider"/>. Default: the scheme's name.</summary>
    public string? KeyName { get; set; }

    /// <summary>With <see cref="KeyPerSession"/> false: the app-wide key as PEM (PKCS#8, SEC 1, PKCS#1) or a private JWK.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>With <see cref="KeyPerSession"/> false: the path of a file holding the app-wide key (PEM or private JWK).</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>
    /// How the app authenticates at the token and revocation endpoints. Null (the default):
    /// <see cref="DPoPClientAuthenticationMethod.ClientSecretPost"/> when the OpenID Connect scheme has a
    /// <c>ClientSecret</c>, as the OpenID Connect handler itself does, otherwise <see cref="DPoPClientAuthenticationMethod.None"/>.
    /// </summary>
    public DPoPClientAuthenticationMethod? ClientAuthentication { get; set; }

    /// <summary>For <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>: the client's assertion signing key (PEM or private JWK). Not the DPoP key.</summary>
    public string? ClientAssertionKey { get; set; }

    /// <summary>For <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>: the path of a file holding <see cref="ClientAssertionKey"/>.</summary>
    public string? ClientAssertionKeyPath { get; set; }

    /// <summary>For <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>: the <c>kid</c> of client assertions.</summary>
    public string? ClientAssertionKeyId { get; set; }

    /// <summary>
    /// Accept <c>token_type</c> <c>Bearer</c> from the token endpoint. Default false: a Bearer answer means the
    /// authorization server did not bind the tokens, and sign-in fails.
    /// </summary>
    public bool AllowBearerTokens { get; set; }

    /// <summary>Refresh the user's access token this long before it expires. Default 60 seconds.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = DPoP.Http.Internal.GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", ErrorMessage = "must not be negative.")]
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a session's tokens and key are kept in the store after their last use (sliding). Default 14 days;
    /// make it at least as long as the sign-in cookie lives.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = DPoP.Http.Internal.GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true, ErrorMessage = "must be positive.")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Revoke the refresh token (RFC 7009) when the user signs out, if the provider's discovery document names a <c>revocation_endpoint</c>. Default true.</summary>
    public bool RevokeRefreshTokenOnSignOut { get; set; } = true;

    /// <summary>
    /// How long revoking a refresh token (at sign-out, or when a session ends) may take before it is given up: the
    /// failure is logged and sign-out goes on, so a hanging revocation endpoint never holds the user's sign-out.
    /// Default 5 seconds; positive, at most 5 minutes.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = DPoP.Http.Internal.GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", MinimumIsExclusive = true, ErrorMessage = "must be positive and at most 5 minutes.")]
    public TimeSpan RevocationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long refreshing the user's access token (the wait for the farm-wide lock, the session read, the provider's
    /// discovery document and the refresh token grant) may take. The API calls waiting for it then fail with a <see cref="TimeoutException"/>
    /// and the session stays, to be refreshed again by a later call. Default 5 seconds: well inside the 10-second
    /// attempt timeout of <c>AddStandardResilienceHandler()</c> and the 100-second <c>HttpClient.Timeout</c>, so a
    /// hanging token endpoint fails the call with this clear error rather than an unexplained cancellation, and
    /// leaves time for the API call itself. Positive, at most 5 minutes.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = DPoP.Http.Internal.GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", MinimumIsExclusive = true, ErrorMessage = "must be positive and at most 5 minutes.")]
    public TimeSpan RefreshTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Make a session's refresh single flight across every instance of a farm, through the app's
    /// <c>Medallion.Threading.IDistributedLockProvider</c> (DistributedLock: Redis, PostgreSQL, SQL Server, …) when one
    /// is registered in DI; without a registered provider this setting does nothing. Default true. Inside the lock the
    /// session is read again, so an instance that comes second uses the tokens the first one stored instead of sending
    /// the same refresh token again (which providers answer by revoking the whole grant).
    /// </summary>
    public bool UseDistributedRefreshLock { get; set; } = true;

    /// <summary>
    /// The start of the lock names (<see cref="UseDistributedRefreshLock"/>); each name ends with a SHA-256 hash of the
    /// scheme and session id, never the session id itself. Default <c>DPoP.Http.AspNetCore.refresh.</c>; not empty, at most 100 characters.
    /// </summary>
    public string RefreshLockPrefix { get; set; } = "DPoP.Http.AspNetCore.refresh.";

    /// <summary>
    /// How long a refresh waits for the farm-wide lock (<see cref="UseDistributedRefreshLock"/>), part of
    /// <see cref="RefreshTimeout"/> and shorter than it. When it runs out (another instance holds the lock that long,
    /// or the lock engine is stalled) the session is read once more: tokens another instance stored meanwhile are used,
    /// otherwise the waiting calls fail with a <see cref="TimeoutException"/> naming the scheme and the cause, and the
    /// session stays for a later call. A lock engine that fails outright fails them with an
    /// <see cref="InvalidOperationException"/> (its exception inside). Never a refresh without the lock. Default 3 seconds.
    /// </summary>
    public TimeSpan RefreshLockTimeout { get; set; } = TimeSpan.FromSeconds(3);


    /// <summary>The clock for token expiry; the app's <see cref="System.TimeProvider"/> (or the system clock) when null.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
