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
}
