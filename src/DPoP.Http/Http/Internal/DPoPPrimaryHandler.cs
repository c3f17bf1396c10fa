using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// Turns off the primary handler's own redirects: they would resend a hop's proof (and, for SocketsHttpHandler,
/// the DPoP header) to a URI it was not made for, so the DPoP handler follows redirects itself.
/// </summary>
internal static class DPoPPrimaryHandler
{
    public enum Outcome
    {
        /// <summary>Nothing to do: the primary handler does not redirect, or is of a kind this cannot configure.</summary>
        Unchanged,

        /// <summary>Automatic redirects were on and are now off.</summary>
        Disabled,

        /// <summary>The handler has sent requests already (or is shared) and refuses the change.</summary>
        Refused,
    }

    /// <summary>Finds the primary handler below <paramref name="handler"/> and turns its automatic redirects off.</summary>
    public static Outcome DisableAutoRedirect(HttpMessageHandler? handler)
    {
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler;
        }

        try
        {
            switch (handler)
            {
                case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                    sockets.AllowAutoRedirect = false;
                    return Outcome.Disabled;
                case HttpClientHandler { AllowAutoRedirect: true } client:
                    client.AllowAutoRedirect = false;
                    return Outcome.Disabled;
                default:
                    return Outcome.Unchanged;
            }
        }
        catch (InvalidOperationException)
        {
            return Outcome.Refused;
        }
    }

    /// <summary>Turns the redirects off as <see cref="DisableAutoRedirect(HttpMessageHandler?)"/> does and logs what happened for <paramref name="clientName"/>.</summary>
    public static void DisableAutoRedirect(HttpMessageHandler? handler, ILogger logger, string clientName)
    {
        switch (DisableAutoRedirect(handler))
        {
            case Outcome.Disabled:
                DPoPHandlerLog.PrimaryRedirectsDisabled(logger, clientName);
                break;
            case Outcome.Refused:
                DPoPHandlerLog.PrimaryRedirectsNotDisabled(logger, clientName);
                break;
        }
    }
}
