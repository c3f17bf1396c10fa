using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Core;

/// <summary>Nonce retries and nonce stores: the nonces page.</summary>
public static class NonceSetup
{
    public static async Task<HttpResponseMessage> NoRetryForThisRequestAsync(HttpClient http, HttpContent body)
    {
        #region no-retry-per-request
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = body }
            .SetDPoPNonceRetry(false); // a use_dpop_nonce challenge comes back to the caller; its nonce is stored
        var response = await http.SendAsync(request);
        #endregion
        return response;
    }

    public static void SharedStore(IServiceCollection services)
    {
        #region shared-nonce-store
        // Needs a HybridCache registered by the app (for example services.AddHybridCache() with a Redis L2).
        services.AddDPoPSharedNonceStore();
        #endregion
    }

    public static void OwnStore(IServiceCollection services)
    {
        #region own-nonce-store
        services.AddDPoPNonceStore<LoggingNonceStore>(); // one store for every DPoP client
        #endregion
    }
}
