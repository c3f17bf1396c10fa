namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>A typed client whose requests name their tenant in a request option, for the token partition to read.</summary>
public sealed class TenantOrdersApi(HttpClient http)
{
    #region tenant-client
    /// <summary>The tenant an API request is made for; read by the token partition.</summary>
    public static readonly HttpRequestOptionsKey<string> Tenant = new("orders.tenant");

    public async Task<string> GetOrdersAsync(string tenant, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"tenants/{Uri.EscapeDataString(tenant)}/orders", UriKind.Relative));
        request.Options.Set(Tenant, tenant);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
    #endregion
}
