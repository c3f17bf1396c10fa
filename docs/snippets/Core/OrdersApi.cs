namespace DPoP.Http.Docs.Snippets.Core;

#region typed-client
/// <summary>A typed client: plain HttpClient calls; proofs, nonces and tokens are the pipeline's business.</summary>
public sealed class OrdersApi(HttpClient http)
{
    public Task<string> GetOpenOrdersAsync(CancellationToken cancellationToken = default) =>
        http.GetStringAsync(new Uri("orders?status=open", UriKind.Relative), cancellationToken);
}
#endregion
