namespace DPoP.Http.Internal;

/// <summary>
/// The key one request is signed with, carried in <see cref="HttpRequestMessage.Options"/>: the way a session's token
/// requests (code exchange, refresh, revocation) name the session's key to a scheme's token endpoint client, whose
/// handler has no key of its own. Only handlers built for such a client read it; every other handler ignores it.
/// </summary>
internal static class DPoPRequestKey
{
    private static readonly HttpRequestOptionsKey<DPoPKey> Option = new("DPoP.Http.RequestKey");

    /// <summary>Signs <paramref name="request"/> (its nonce retry and redirect hops included) with <paramref name="key"/>.</summary>
    public static void Set(HttpRequestMessage request, DPoPKey key) => request.Options.Set(Option, key);

    /// <summary>The key <paramref name="request"/> carries.</summary>
    /// <exception cref="InvalidOperationException">The request carries none.</exception>
    public static DPoPKey Get(HttpRequestMessage request, string clientName) =>
        request.Options.TryGetValue(Option, out var key) && key is not null
            ? key
            : throw new InvalidOperationException($"The DPoP token client of OpenID Connect scheme '{clientName}' is internal to DPoP.Http.AspNetCore and signs only a session's code exchange, refresh or revocation, each with the session's key; this request carries no key.");
}
