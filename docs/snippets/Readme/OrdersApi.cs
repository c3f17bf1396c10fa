namespace DPoP.Http.Docs.Snippets.Readme;

#region orders-api
// A typed client: plain HttpClient calls. The proof, the token and the nonce retries are the pipeline's business.
public sealed class OrdersApi(HttpClient http)
{
    public Task<string> GetOpenOrdersAsync(CancellationToken cancellationToken) =>
        http.GetStringAsync(new Uri("orders?status=open", UriKind.Relative), cancellationToken);
}
#endregion
