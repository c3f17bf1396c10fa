using System.Diagnostics;
using DPoP.Http.Internal;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The package's spans, on the core library's one activity source (<see cref="DPoPActivities.Source"/>) and with the
/// same span name and attributes for a token acquisition. No span carries a token, session id or key.
/// </summary>
internal static class DPoPWebActivities
{
    /// <summary>Starts the span of getting the signed-in user's token for a request of <paramref name="clientName"/>.</summary>
    public static Activity? StartUserTokenAcquire(string clientName, string scheme) => StartTokenAcquire(clientName, scheme, "refresh_token");

    /// <summary>Starts the span of getting a token of <paramref name="grantType"/> through <paramref name="scheme"/> for <paramref name="clientName"/>.</summary>
    public static Activity? StartTokenAcquire(string clientName, string scheme, string grantType)
    {
        var activity = DPoPActivities.Source.StartActivity(DPoPTelemetryNames.TokenAcquireSpan, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(DPoPTelemetryNames.Client, clientName);
            activity.SetTag(DPoPTelemetryNames.Scheme, scheme);
            activity.SetTag(DPoPTelemetryNames.GrantType, grantType);
        }

        return activity;
    }

    /// <summary>Ends an acquisition span that got no token: <c>error.type</c> is the session-expired reason, else the exception type.</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        // The refresh's own dpop.token.request span carries the OAuth error code; this one names no server-chosen word.
        var errorType = exception is DPoPSessionExpiredException expired
            ? expired.Reason.ToString()
            : exception.GetType().FullName ?? exception.GetType().Name;
        activity.SetTag(DPoPTelemetryNames.TokenCacheHit, false);
        activity.SetTag(DPoPTelemetryNames.Outcome, DPoPTelemetryNames.Failure);
        activity.SetTag(DPoPTelemetryNames.ErrorType, errorType);
        activity.SetStatus(ActivityStatusCode.Error, errorType);
        activity.Dispose();
    }
}
