using Microsoft.Extensions.Http;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Moves the DPoP handler of a scheme's token endpoint clients to the innermost place, after everything the app
/// configured on them (<c>ConfigureDPoPOpenIdConnectTokenEndpointClient()</c>): a retry handler the app added then
/// wraps it, and every attempt gets a fresh proof (a resent proof is a replay). Registered after DPoP.Http's own
/// filter: IHttpClientFactory nests filters in registration order, so the code after <c>next</c> of the one
/// registered later runs first, and DPoP.Http's filter (redirects off, the retry-order warning) sees the final order.
/// </summary>
internal sealed class TokenClientPipelineFilter(DPoPSchemeRegistry registry) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        if (builder.Name is not { } name || !registry.IsTokenEndpointClient(name))
        {
            return;
        }

        var handlers = builder.AdditionalHandlers;
        var dpop = handlers.OfType<DPoPDelegatingHandler>().ToArray();
        foreach (var handler in dpop)
        {
            handlers.Remove(handler);
            handlers.Add(handler);
        }
    };
}
