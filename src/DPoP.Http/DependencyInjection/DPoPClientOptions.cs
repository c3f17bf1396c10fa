using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace DPoP.Http;

/// <summary>
/// Settings of one DPoP-enabled HttpClient, named after the client (<c>IOptionsMonitor&lt;DPoPClientOptions&gt;.Get(name)</c>)
/// and bindable from configuration, validated when the app starts: where its key comes from, its nonce store, and
/// the handler's behaviour (<see cref="Handler"/>). A setting that another registration overrides (a key provider of
/// the client's own, an app-wide nonce store) fails start-up, naming the client and the property, rather than being ignored.
/// </summary>
/// <example>
/// The configuration shape, bound by <c>AddDPoP(configuration.GetSection("DPoP:Orders"))</c>:
/// <code>
/// "DPoP": { "Orders": {
///   "Algorithm": "ES384", "KeyName": "orders", "PrivateKeyPath": "/run/secrets/dpop.pem",
///   "NonceStoreCapacity": 100,
///   "Handler": { "RetryOnNonceChallenge": false, "ClockOffset": "00:00:05", "MaxRedirects": 5 } } }
/// </code>
/// </example>
public sealed class DPoPClientOptions
{
    /// <summary>
    /// The signing algorithm (see <see cref="DPoPAlgorithms"/>). A generated key uses it, ES256 when null; a configured
    /// key (<see cref="PrivateKey"/>, <see cref="PrivateKeyPath"/>) must fit it, and implies it when null. Refused at
    /// start-up when a key provider supplies the client's key (the provider chooses the algorithm).
    /// </summary>
    public string? Algorithm { get; set; }

    /// <summary>
    /// The name of the key to sign with; by default the HttpClient's name. Clients that must share a key — the one
    /// that calls the token endpoint and the one that calls the API, so that the token's <c>cnf.jkt</c> matches —
    /// set the same key name. A key provider is asked for the key by this name.
    /// </summary>
    public string? KeyName { get; set; }

    /// <summary>
    /// A private key, inline: PEM (PKCS#8, SEC 1 or PKCS#1) or a private JWK as JSON. Takes precedence over the
    /// app-wide key provider; refused at start-up when the client has a key provider of its own
    /// (<c>AddDPoPKeyProvider&lt;T&gt;()</c> on the client builder, <c>AddDPoPUserAccessToken()</c>).
    /// </summary>
    public string? PrivateKey { get; set; }

    /// <summary>The path of a file holding a private key as PEM or as a private JWK; the same rules as <see cref="PrivateKey"/>.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>
    /// How many origins the client's in-memory nonce store remembers before evicting the least recently used; null
    /// (default) means 1000. Refused at start-up when the app registered its own nonce store
    /// (<c>AddDPoPNonceStore&lt;T&gt;()</c>, <c>AddDPoPSharedNonceStore()</c>), which this setting does not reach.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "must be at least 1.")]
    public int? NonceStoreCapacity { get; set; }

    /// <summary>
    /// How long a stored nonce is used after the server last sent it; null (default) keeps it until the server sends
    /// another. A server that repeats its nonce on every response keeps it alive. Refused at start-up, as
    /// <see cref="NonceStoreCapacity"/>, when the app registered its own nonce store.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", MinimumIsExclusive = true, ErrorMessage = "must be positive, or null to keep nonces until replaced.")]
    public TimeSpan? NonceLifetime { get; set; }

    /// <summary>The handler's behaviour: nonce retries, resendable bodies, clock offset, redirects (configuration section <c>Handler</c>).</summary>
#pragma warning disable SYSLIB1212 // validated explicitly (DPoPClientOptionsValidator): [ValidateObjectMembers] would generate a type outside DPoP.Http.Internal
    public DPoPHandlerOptions Handler { get; } = new();
#pragma warning restore SYSLIB1212

    /// <summary>The capacity of the client's in-memory nonce store when <see cref="NonceStoreCapacity"/> is null.</summary>
    internal const int DefaultNonceStoreCapacity = 1000;

    /// <summary>Copies every setting of <paramref name="source"/> into this instance (a token endpoint client signs as its API client).</summary>
    internal void CopyFrom(DPoPClientOptions source)
    {
        Algorithm = source.Algorithm;
        KeyName = source.KeyName;
        PrivateKey = source.PrivateKey;
        PrivateKeyPath = source.PrivateKeyPath;
        NonceStoreCapacity = source.NonceStoreCapacity;
        NonceLifetime = source.NonceLifetime;
        Handler.CopyFrom(source.Handler);
    }
}
