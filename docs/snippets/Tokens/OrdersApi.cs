using DPoP.Http;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>A typed client, used as any HttpClient: the token and the proof are added by the pipeline.</summary>
public sealed class OrdersApi(HttpClient http)
{
    #region typed-client
    public async Task<string> GetOrdersAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetStringAsync(new Uri("orders", UriKind.Relative), cancellationToken);
        }
        catch (DPoPTokenException ex) when (ex.Error == "invalid_client")
        {
            // The token request was refused: a configuration problem (client id, secret), not a transient one.
            throw new InvalidOperationException($"The orders client is misconfigured ({ex.StatusCode} {ex.Error}).", ex);
        }
    }
    #endregion
}
