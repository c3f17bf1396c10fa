using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// Checks each DPoP client's pipeline once IHttpClientFactory has built it, after all of the client's configuration,
/// so the order the app called things in is what it sees: adds the DPoP handler of a token endpoint client as its
/// innermost handler (whatever the app added to that client, a resilience handler included, wraps it, so each
/// retry gets its own proof; only the factory's own request logger, added by a later filter, may sit inside), turns the primary handler's automatic redirects off before any request can reach it
/// (the DPoP handler follows redirects with a proof per hop), and warns when a retrying handler sits inside the DPoP
/// handler of an app's client (its retries would resend the first attempt's proof, which servers reject as a replay).
/// </summary>
internal sealed class DPoPPipelineFilter(DPoPClientRegistry registry, IServiceProvider services, ILoggerFactory loggerFactory) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        var name = builder.Name ?? string.Empty;
        if (registry.TryGetTokenEndpointClient(name, out var apiClientName))
        {
            // The token endpoint client signs with its API client's key and options, so the token's cnf.jkt matches.
            builder.AdditionalHandlers.Add(services.GetRequiredService<DPoPHandlerFactory>().Create(name, keyClientName: apiClientName));
        }

        if (!registry.Contains(name))
        {
            return;
        }

        var logger = loggerFactory.CreateLogger(DPoPTelemetryNames.HandlerLogCategory);
        var loggedName = apiClientName ?? name; // logs name the API client, never the derived token endpoint client
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
