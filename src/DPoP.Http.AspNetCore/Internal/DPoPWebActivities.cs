using System.Diagnostics;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The package's spans, on an activity source of the same name as the core library's (<c>DPoP.Http</c>: one
/// <c>AddSource("DPoP.Http")</c> subscribes to both) and with the same span name and attributes for a token
/// acquisition. No span carries a token, session id or key.
/// </summary>
internal static class DPoPWebActivities
{
    public static readonly ActivitySource Source = new("DPoP.Http", typeof(DPoPWebActivities).Assembly.GetName().Version?.ToString(3));

    /// <summary>Starts the span of getting the signed-in user's token for a request of <paramref name="clientName"/>.</summary>
    public static Activity? StartUserTokenAcquire(string clientName, string scheme) => StartTokenAcquire(clientName, scheme, "refresh_token");

    /// <summary>Starts the span of getting a token of <paramref name="grantType"/> through <paramref name="scheme"/> for <paramref name="clientName"/>.</summary>
    public static Activity? StartTokenAcquire(string clientName, string scheme, string grantType)
    {
        var activity = Source.StartActivity("dpop.token.acquire", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("dpop.client", clientName);
            activity.SetTag("dpop.scheme", scheme);
            activity.SetTag("dpop.grant_type", grantType);
        }

        return activity;
    }

    /// <summary>Ends an acquisition span: the session's token as it was (<paramref name="cacheHit"/>) or refreshed.</summary>
    public static void Acquired(Activity? activity, bool cacheHit)
    {
        if (activity is not null)
        {
            activity.SetTag("dpop.token.cache_hit", cacheHit);
            activity.SetTag("dpop.outcome", "success");
            activity.Dispose();
        }
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
        activity.SetTag("dpop.token.cache_hit", false);
        activity.SetTag("dpop.outcome", "failure");
        activity.SetTag("error.type", errorType);
        activity.SetStatus(ActivityStatusCode.Error, errorType);
        activity.Dispose();
    }
}
