using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;

namespace DPoP.Http;

/// <summary>
/// Warns when a retrying handler sits inside the DPoP handler (registered after <c>AddDPoP()</c>): its retries would
/// resend the proof of the first attempt, which servers reject as a replay. Runs after all of a client's
/// configuration, so the order the app called things in is what it sees.
/// </summary>
internal sealed class DPoPHandlerOrderFilter(DPoPClientRegistry registry, ILoggerFactory loggerFactory) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        var name = builder.Name ?? string.Empty;
        if (!registry.Contains(name))
        {
            return;
        }

        var seenDPoP = false;
        foreach (var handler in builder.AdditionalHandlers)
        {
            if (handler is DPoPDelegatingHandler)
            {
                seenDPoP = true;
            }
            else if (seenDPoP && IsRetrying(handler))
            {
                DPoPHandlerLog.RetryHandlerInsideDPoP(loggerFactory.CreateLogger<DPoPDelegatingHandler>(), name, handler.GetType().Name);
            }
        }
    };

    /// <summary>Microsoft.Extensions.Http.Resilience's ResilienceHandler and Polly v7's PolicyHttpMessageHandler, by name: no dependency on either.</summary>
    private static bool IsRetrying(DelegatingHandler handler) => handler.GetType().FullName is
        "Microsoft.Extensions.Http.Resilience.ResilienceHandler" or "Microsoft.Extensions.Http.PolicyHttpMessageHandler";
}
