using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// Checks each DPoP client's pipeline once IHttpClientFactory has built it, after all of the client's configuration,
/// so the order the app called things in is what it sees: adds the DPoP handler of a token endpoint client (an API
/// client's, or an OpenID Connect scheme's from DPoP.Http.AspNetCore) as its innermost handler (whatever the app
/// added to that client, through its configuration, defaults or its own filters, a resilience handler included,
/// wraps it, so each retry gets its own proof; only the factory's own request logger may sit inside), turns the primary handler's automatic redirects off before any request can reach it
/// (the DPoP handler follows redirects with a proof per hop), and warns when a retrying handler sits inside the DPoP
/// handler of an app's client (its retries would resend the first attempt's proof, which servers reject as a replay).
/// </summary>
internal sealed class DPoPPipelineFilter(DPoPClientRegistry registry, IServiceProvider services, ILoggerFactory loggerFactory) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        var name = builder.Name ?? string.Empty;
        if (registry.TryGetTokenEndpointClient(name, out var tokenClient))
        {
            // An API client's token endpoint client signs with that client's key and options, so the token's cnf.jkt
            // matches; a scheme's, with the key of the session each request is for.
            AddInnermost(builder.AdditionalHandlers, services.GetRequiredService<DPoPHandlerFactory>().Create(name, tokenClient));
        }

        if (!registry.Contains(name))
        {
            return;
        }

        var logger = loggerFactory.CreateLogger(DPoPTelemetryNames.HandlerLogCategory);
        var loggedName = tokenClient?.ApiClientName ?? tokenClient?.Scheme ?? name; // logs name the API client or scheme, never a derived token endpoint client
        var seenDPoP = false;
        foreach (var handler in builder.AdditionalHandlers)
        {
            if (handler is DPoPDelegatingHandler)
            {
                seenDPoP = true;
            }
            else if (seenDPoP && IsRetrying(handler))
            {
                DPoPHandlerLog.RetryHandlerInsideDPoP(logger, loggedName, handler.GetType().Name);
            }
        }

        if (seenDPoP)
        {
            DisablePrimaryRedirects(builder, loggedName, logger);
        }
    };

    /// <summary>
    /// Adds <paramref name="handler"/> after every handler but IHttpClientFactory's own request logger, which logs each
    /// request as sent (a nonce retry is a request of its own). This filter is registered first (see
    /// <c>AddDPoPCore</c>), so this runs after every other filter and every configuration of the client.
    /// </summary>
    private static void AddInnermost(IList<DelegatingHandler> handlers, DelegatingHandler handler)
    {
        var at = handlers.Count;
        while (at > 0 && handlers[at - 1] is Microsoft.Extensions.Http.Logging.LoggingHttpMessageHandler)
        {
            at--;
        }

        handlers.Insert(at, handler);
    }

    /// <summary>
    /// Done here rather than on the first request: the chain is complete and nothing has been sent yet, so no
    /// concurrent first request can slip through while the primary handler still follows redirects.
    /// </summary>
    private static void DisablePrimaryRedirects(HttpMessageHandlerBuilder builder, string name, ILogger logger)
    {
        DPoPPrimaryHandler.DisableAutoRedirect(builder.PrimaryHandler, logger, name);
        foreach (var handler in builder.AdditionalHandlers)
        {
            if (handler is DPoPDelegatingHandler dpop)
            {
                dpop.MarkPrimaryHandlerChecked();
            }
        }
    }

    /// <summary>Microsoft.Extensions.Http.Resilience's ResilienceHandler and Polly v7's PolicyHttpMessageHandler, by name: no dependency on either.</summary>
    private static bool IsRetrying(DelegatingHandler handler) => handler.GetType().FullName is
        "Microsoft.Extensions.Http.Resilience.ResilienceHandler" or "Microsoft.Extensions.Http.PolicyHttpMessageHandler";
}
