using DPoP.Http;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>
/// Code that sends its own requests (a vendor SDK's HttpClient, a SignalR or gRPC channel) with the token of the
/// "orders" client: the token and its key from IDPoPClientAccessTokens, a proof built per request.
/// </summary>
public sealed class ExportClient(IDPoPClientAccessTokens tokens, HttpClient vendorHttpClient)
{
    #region outside-httpclient
    public async Task<HttpResponseMessage> StartExportAsync(CancellationToken cancellationToken)
    {
        // The very token the "orders" HttpClient sends, from the same cache, and the key it is bound to.
        DPoPClientAccessToken token = await tokens.GetAccessTokenAsync("orders", cancellationToken);

        var uri = new Uri("https://api.example.com/exports");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri);
        var proof = DPoPProof.Create(token.Key, request.Method, uri, token.AccessToken);
        foreach (var (name, value) in DPoPHeaders.Build(proof, token.AccessToken))
        {
            request.Headers.TryAddWithoutValidation(name, value); // DPoP: <proof>, Authorization: DPoP <token>
        }

        return await vendorHttpClient.SendAsync(request, cancellationToken);
    }
    #endregion

    #region renew-remove
    public async Task OnTokenRevokedAsync(CancellationToken cancellationToken)
    {
        // The authorization server revoked the client's grants: get a new token now, for this code and the HttpClient.
        await tokens.RenewAccessTokenAsync("orders", cancellationToken);
    }

    public async Task OnClientDisabledAsync(CancellationToken cancellationToken)
    {
        // Drop the token here and in the shared cache: the next request, on any instance, asks for a new one.
        await tokens.RemoveAccessTokenAsync("orders", cancellationToken);
    }
    #endregion
}
