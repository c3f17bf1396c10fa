namespace DPoP.Http;

/// <summary>
/// Implemented by an <see cref="IDPoPAccessTokenProvider"/> that caches one access token for its client (a token of
/// the client itself, not of a user or a caller), so that <see cref="IDPoPClientAccessTokens"/> can hand that token out
/// by client name, force its renewal and drop it. The providers of <c>AddDPoPClientCredentialsToken(…)</c> implement it;
/// implement it on a provider registered with <c>AddDPoPAccessTokenProvider&lt;T&gt;()</c> to make its token available
/// the same way. Implementations are called from many threads at once.
/// </summary>
/// <remarks>
/// Each token comes with the key it is bound to: the key its token request was signed with, kept with the cached
/// token. After a key provider rotated its key, that is not the client's current key until the token is renewed.
/// </remarks>
public interface IDPoPClientAccessTokenCache
{
    /// <summary>Gets the cached token, renewing it only when there is no valid one; concurrent renewals share one token request.</summary>
    /// <param name="cancellationToken">Stops waiting for a renewal.</param>
    /// <returns>The token the client's requests use and the key it is bound to (never a refresh or ID token).</returns>
    ValueTask<DPoPClientAccessToken> GetAccessTokenAsync(CancellationToken cancellationToken);

    /// <summary>Gets a new token even if the cached one is valid, and caches it; concurrent calls and renewals share one token request.</summary>
    /// <param name="cancellationToken">Stops waiting for the renewal.</param>
    /// <returns>The new token and the key it is bound to.</returns>
    ValueTask<DPoPClientAccessToken> RenewAccessTokenAsync(CancellationToken cancellationToken);

    /// <summary>Drops the cached token (and any copy shared with other instances), so the next request gets a new one.</summary>
    /// <param name="cancellationToken">Stops waiting for a shared cache.</param>
    /// <returns>A task that completes when the token is dropped.</returns>
    ValueTask RemoveAccessTokenAsync(CancellationToken cancellationToken);
}
