namespace DPoP.Http;

/// <summary>
/// Supplies the DPoP-bound access token for a client's requests when neither the request option
/// (<see cref="DPoPHttpRequestMessageExtensions.SetDPoPAccessToken"/>) nor an <c>Authorization: DPoP</c> header
/// carries one. Register it for one client with <c>builder.AddDPoPAccessTokenProvider&lt;T&gt;()</c>.
/// </summary>
public interface IDPoPAccessTokenProvider
{
    /// <summary>Gets the access token to bind to <paramref name="request"/>, or null to send the request without one.</summary>
    /// <param name="request">The outgoing request (read it; do not change it).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The token, or null for no token (the proof then has no <c>ath</c> and no <c>Authorization</c> header is added).</returns>
    ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    /// <summary>
    /// Called when a resource server rejected a token this provider supplied (<c>401</c> with
    /// <c>WWW-Authenticate: DPoP error="invalid_token"</c>). Return true when a new token may now be had (after
    /// dropping a cached one): the handler then asks <see cref="GetAccessTokenAsync"/> again and resends the request
    /// once, with a new proof. The default returns false: the rejection reaches the caller.
    /// </summary>
    /// <param name="rejectedAccessToken">The token the server rejected.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether to renew and retry once.</returns>
    ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}
