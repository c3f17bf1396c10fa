namespace DPoP.Http;

/// <summary>
/// The cached access tokens of DPoP clients, by HttpClient name, for calls made outside that HttpClient (a SignalR
/// connection's access token, a gRPC channel's call credentials): the same token the client's HttpClient sends, from
/// the same cache, renewed by the same single request. Registered by <c>AddDPoP()</c>; serves clients whose token
/// source is a cached client token: <c>AddDPoPClientCredentialsToken(…)</c> (or an <see cref="IDPoPAccessTokenProvider"/>
/// of the client's that implements <see cref="IDPoPClientAccessTokenCache"/>).
/// </summary>
public interface IDPoPClientAccessTokens
{
    /// <summary>
    /// Gets the client's cached access token, the one its HttpClient sends; only when there is no valid one (none yet,
    /// expired, or rejected) does it wait for a renewal, which it shares with every other caller (single flight).
    /// Inside the client's <see cref="DPoPTokenClientOptions.RefreshBeforeExpiry"/> window the cached token is returned
    /// and renewed in the background, as for the HttpClient.
    /// </summary>
    /// <param name="clientName">The name of the HttpClient the token is registered for.</param>
    /// <param name="cancellationToken">Stops waiting for a renewal (the renewal goes on for the others).</param>
    /// <returns>The token and the key it is bound to (after a key rotation, the key that signed its token request, not the current one).</returns>
    /// <exception cref="ArgumentException"><paramref name="clientName"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No client of that name gets cached client tokens (see <c>AddDPoPClientCredentialsToken</c>).</exception>
    /// <exception cref="DPoPTokenException">The token endpoint refused the token request.</exception>
    Task<DPoPClientAccessToken> GetAccessTokenAsync(string clientName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets a new token from the token endpoint even if the cached one is still valid, and caches it for the
    /// client's HttpClient too. Concurrent calls, and HttpClient requests that need a token meanwhile, share one token
    /// request. The token it replaces is never taken back from the shared cache (HybridCache), and the new one is
    /// stored there for the other instances. Until the new token arrives, the HttpClient keeps sending the old one.
    /// </summary>
    /// <param name="clientName">The name of the HttpClient the token is registered for.</param>
    /// <param name="cancellationToken">Stops waiting (the renewal goes on and its token is cached).</param>
    /// <returns>The new token and the key it is bound to.</returns>
    /// <exception cref="ArgumentException"><paramref name="clientName"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No client of that name gets cached client tokens (see <c>AddDPoPClientCredentialsToken</c>).</exception>
    /// <exception cref="DPoPTokenException">The token endpoint refused the token request.</exception>
    Task<DPoPClientAccessToken> RenewAccessTokenAsync(string clientName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops the client's cached token from memory and removes its entry from the shared cache (HybridCache), so
    /// the next request, of this instance or another, gets a new token. A shared cache that fails or does not answer
    /// within <see cref="DPoPTokenClientOptions.SharedCacheTimeout"/> is logged as a warning, not thrown; this instance
    /// never takes the dropped token back.
    /// </summary>
    /// <param name="clientName">The name of the HttpClient the token is registered for.</param>
    /// <param name="cancellationToken">Stops waiting for the shared cache.</param>
    /// <returns>A task that completes when the token is dropped.</returns>
    /// <exception cref="ArgumentException"><paramref name="clientName"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No client of that name gets cached client tokens (see <c>AddDPoPClientCredentialsToken</c>).</exception>
    Task RemoveAccessTokenAsync(string clientName, CancellationToken cancellationToken = default);
}
