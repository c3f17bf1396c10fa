using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace DPoP.Http;

/// <summary>
/// Where and how to get DPoP-bound tokens: the token endpoint, the client's credentials and what to ask for.
/// Named after the HttpClient when registered with <c>AddDPoPClientCredentialsToken()</c>, bindable from configuration
/// and validated at start-up.
/// </summary>
public sealed class DPoPTokenClientOptions
{
    /// <summary>The authorization server's token endpoint (absolute http(s) URI). Required.</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>The authorization server's revocation endpoint (RFC 7009), for <see cref="DPoPTokenClient.RevokeTokenAsync"/>; optional.</summary>
    public Uri? RevocationEndpoint { get; set; }

    /// <summary>The client identifier. Required.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret, for <see cref="DPoPClientAuthenticationMethod.ClientSecretBasic"/> and <see cref="DPoPClientAuthenticationMethod.ClientSecretPost"/>. Never logged or put in a message.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>How the client authenticates. Default <see cref="DPoPClientAuthenticationMethod.ClientSecretBasic"/>.</summary>
    public DPoPClientAuthenticationMethod ClientAuthentication { get; set; } = DPoPClientAuthenticationMethod.ClientSecretBasic;

    /// <summary>For <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>: the client's private key (PEM or private JWK), registered with the authorization server. Not the DPoP key.</summary>
    public string? ClientAssertionKey { get; set; }

    /// <summary>For <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>: the path of a file holding <see cref="ClientAssertionKey"/>.</summary>
    public string? ClientAssertionKeyPath { get; set; }

    /// <summary>The <c>kid</c> header of client assertions, when the server needs it to pick the key.</summary>
    public string? ClientAssertionKeyId { get; set; }

    /// <summary>The signing algorithm of client assertions; by default the one the key implies (ES256 for P-256, RS256 for RSA).</summary>
    public string? ClientAssertionAlgorithm { get; set; }

    /// <summary>The <c>aud</c> of client assertions; the token endpoint by default (some servers want their issuer).</summary>
    public string? ClientAssertionAudience { get; set; }

    /// <summary>The <c>scope</c> to request, space-separated; none by default.</summary>
    public string? Scope { get; set; }

    /// <summary>Resource indicators (RFC 8707) to request: one <c>resource</c> parameter each.</summary>
    public IList<string> Resources { get; } = [];

    /// <summary>An <c>audience</c> parameter, for servers that use it instead of resource indicators.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Extra form parameters sent with every token request of this client (bindable: <c>"Parameters": { "tenant": "x" }</c>).
    /// Names the client sets itself (<c>grant_type</c>, <c>client_id</c>, <c>client_assertion</c>, <c>scope</c>,
    /// <c>resource</c>, <c>audience</c>, …) are refused by validation; use <see cref="Scope"/>, <see cref="Resources"/>
    /// and <see cref="Audience"/> for those.
    /// </summary>
    public IDictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Accept <c>token_type</c> <c>Bearer</c> (an unbound token) instead of failing. The token is then sent as
    /// <c>Authorization: Bearer</c> with a proof without <c>ath</c>. Default false: a Bearer answer means the server
    /// did not bind the token, which is a configuration error.
    /// </summary>
    public bool AllowBearerTokens { get; set; }

    /// <summary>Renew a cached token this long before it expires (at most half its lifetime). Default 60 seconds.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", ErrorMessage = "must not be negative.")]
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long to use a token whose response had no usable <c>expires_in</c> (absent, <c>null</c>, zero, negative or
    /// <c>NaN</c>). Default 5 minutes.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true, ErrorMessage = "must be positive.")]
    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When the app registers a <c>HybridCache</c> (<c>services.AddHybridCache()</c>, with Redis or another distributed
    /// cache behind it), tokens are shared through it by every instance that uses the same token endpoint, client,
    /// scope, resources, audience and DPoP key. This is how long a token lookup waits on that cache before it asks the
    /// token endpoint directly (the cache is then left alone for 30 s); <see cref="TimeSpan.Zero"/> keeps this client's
    /// tokens in process. Default 1 second, at most 10 s.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10", ErrorMessage = "must be between 0 (no shared cache) and 10 seconds.")]
    public TimeSpan SharedCacheTimeout { get; set; } = TimeSpan.FromSeconds(1);

    // Set by AddDPoPClientAssertionProvider<T>(). Fields, not properties: the configuration binding generator refuses
    // properties of interface type, even internal ones; without DI the provider goes to DPoPTokenClient's constructor.
    internal IDPoPClientAssertionProvider? ClientAssertionProvider;

    // Set by AddDPoPTokenRequestHook(); a field for the same reason.
    internal Func<DPoPTokenRequestContext, CancellationToken, ValueTask>? OnTokenRequest;

    // Set by AddDPoPTokenPartition(); a field for the same reason.
    internal Action<DPoPTokenPartition>? Partition;

    /// <summary>Shows the endpoint, client id and method, never the secret or a key.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() =>
        $"DPoPTokenClientOptions {{ TokenEndpoint = {TokenEndpoint}, ClientId = {ClientId}, ClientAuthentication = {ClientAuthentication}, Scope = {Scope} }}";
}
