namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>A downstream API called on behalf of the caller: each request carries the caller's token to exchange.</summary>
public sealed class StockApi(HttpClient http)
{
    #region downstream-client
    /// <summary>The caller's access token (the subject token to exchange), set on each request.</summary>
    public static readonly HttpRequestOptionsKey<string> CallerToken = new("stock.caller-token");

    public async Task<string> GetStockAsync(string sku, string callerAccessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"stock/{Uri.EscapeDataString(sku)}", UriKind.Relative));
        request.Options.Set(CallerToken, callerAccessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
    #endregion
}
