using System.Diagnostics;

namespace DPoP.Http.Internal;

/// <summary>
/// The <c>DPoP.Http</c> <see cref="ActivitySource"/>, the one both packages trace on, and the spans it starts. Attribute names follow OpenTelemetry's
/// conventions (<c>server.address</c>, <c>http.request.method</c>, <c>error.type</c>) and ours live under <c>dpop.</c>;
/// no span carries a token, nonce, proof, secret, key or a URI's path or query. With no listener,
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and none of this costs anything.
/// </summary>
internal static class DPoPActivities
{
    public static readonly ActivitySource Source = new(DPoPTelemetryNames.ActivitySource, typeof(DPoPActivities).Assembly.GetName().Version?.ToString(3));

    /// <summary>
    /// Starts a span tagged with the client (none for an unnamed one: a handler or token client built without a name),
    /// the OpenID Connect scheme (a session's own token requests) and the origin (scheme, host, port: never path or
    /// query) of <paramref name="target"/>.
    /// </summary>
    public static Activity? Start(string name, string? clientName, Uri target, string? scheme = null)
    {
        var activity = Source.StartActivity(name, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            if (!string.IsNullOrEmpty(clientName))
            {
                activity.SetTag(DPoPTelemetryNames.Client, clientName);
            }

            if (scheme is not null)
            {
                activity.SetTag(DPoPTelemetryNames.Scheme, scheme);
            }

            activity.SetTag("server.address", target.IdnHost);
            activity.SetTag("server.port", target.Port);
            activity.SetTag("url.scheme", target.Scheme);
        }

        return activity;
    }

    /// <summary>A nonce retry span for <paramref name="method"/> (as sent) after a challenge from <paramref name="source"/>.</summary>
    public static Activity? StartNonceRetry(string? clientName, Uri target, string method, string source, string? scheme = null)
    {
        var activity = Start(DPoPTelemetryNames.NonceRetrySpan, clientName, target, scheme);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("http.request.method", method);
            activity.SetTag(DPoPTelemetryNames.ChallengeSource, source);
        }

        return activity;
    }

    /// <summary>A redirect hop span: the next hop's method and origin, the redirect's status, whether it left the origin.</summary>
    public static Activity? StartRedirect(string? clientName, Uri target, string method, int status, int hop, bool crossOrigin, string? scheme = null)
    {
        var activity = Start(DPoPTelemetryNames.RedirectSpan, clientName, target, scheme);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("http.request.method", method);
            activity.SetTag(DPoPTelemetryNames.RedirectStatusCode, status);
            activity.SetTag(DPoPTelemetryNames.RedirectHop, hop);
            activity.SetTag(DPoPTelemetryNames.RedirectCrossOrigin, crossOrigin);
        }

        return activity;
    }

    /// <summary>Ends a span around an HTTP exchange with its response status; 4xx and 5xx mark it as an error, as for HTTP client spans.</summary>
    public static void StopWithResponse(Activity? activity, HttpResponseMessage response)
    {
        if (activity is null)
        {
            return;
        }

        var status = (int)response.StatusCode;
        activity.SetTag("http.response.status_code", status);
        if (status >= 400)
        {
            var errorType = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            activity.SetTag(DPoPTelemetryNames.ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error, errorType);
        }

        activity.Dispose();
    }

    /// <summary>
    /// Ends a span with an exception: <c>error.type</c> and the status description name what failed (a type or a
    /// code), never the exception's message, which may quote a server.
    /// </summary>
    public static void StopWithError(Activity? activity, string errorType)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(DPoPTelemetryNames.ErrorType, errorType);
        activity.SetStatus(ActivityStatusCode.Error, errorType);
        activity.Dispose();
    }

    /// <summary>An exception as an <c>error.type</c> value: for transport errors the <see cref="HttpRequestError"/> in snake case (as .NET's own HTTP metrics), else the exception's type name.</summary>
    public static string ErrorType(Exception exception) => exception switch
    {
        HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http => SnakeCase(http.HttpRequestError),
        TaskCanceledException { InnerException: TimeoutException } => "timeout",
        OperationCanceledException => "canceled",
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };

    private static string SnakeCase(HttpRequestError error) => error switch
    {
        HttpRequestError.NameResolutionError => "name_resolution_error",
        HttpRequestError.ConnectionError => "connection_error",
        HttpRequestError.SecureConnectionError => "secure_connection_error",
        HttpRequestError.HttpProtocolError => "http_protocol_error",
        HttpRequestError.ExtendedConnectNotSupported => "extended_connect_not_supported",
        HttpRequestError.VersionNegotiationError => "version_negotiation_error",
        HttpRequestError.UserAuthenticationError => "user_authentication_error",
        HttpRequestError.ProxyTunnelError => "proxy_tunnel_error",
        HttpRequestError.InvalidResponse => "invalid_response",
        HttpRequestError.ResponseEnded => "response_ended",
        HttpRequestError.ConfigurationLimitExceeded => "configuration_limit_exceeded",
        _ => "http_request_error",
    };
}
