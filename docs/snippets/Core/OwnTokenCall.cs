namespace DPoP.Http.Docs.Snippets.Core;

/// <summary>A typed client that binds a token the app got elsewhere, per request.</summary>
public sealed class OwnTokenCall(HttpClient http)
{
    public async Task<string> GetOrdersAsync(string accessToken, CancellationToken cancellationToken = default)
    {
        #region set-token
        using var request = new HttpRequestMessage(HttpMethod.Get, "orders")
            .SetDPoPAccessToken(accessToken); // Authorization: DPoP <token>, and ath in the proof
        using var response = await http.SendAsync(request, cancellationToken);
        #endregion
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}
