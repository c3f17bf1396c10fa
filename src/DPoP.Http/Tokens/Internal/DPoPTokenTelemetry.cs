using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DPoP.Http.Internal;

/// <summary>
/// What one token client (or token source) reports: spans on the <c>DPoP.Http</c> activity source, token metrics and
/// log events. Tags and messages carry the client name, grant type, token endpoint origin, outcome and an error code
/// or type: never a token, secret, assertion, nonce or proof, nor the endpoint's path.
/// </summary>
internal sealed class DPoPTokenTelemetry
{
    public DPoPTokenTelemetry(string? clientName, string displayName, DPoPTokenMetrics metrics, ILogger logger, string? scheme = null)
    {
        ClientName = clientName;
        Scheme = scheme;
        DisplayName = displayName;
        Metrics = metrics;
        Logger = logger;
    }

    /// <summary>The <c>dpop.client</c> tag: the HttpClient's name, or null for a token client used without one.</summary>
    public string? ClientName { get; }

    /// <summary>The <c>dpop.scheme</c> tag: the OpenID Connect scheme whose session's token requests these are (DPoP.Http.AspNetCore), else null.</summary>
    public string? Scheme { get; }

    /// <summary>The name in log messages: the client name, else the scheme, else the OAuth client id.</summary>
    public string DisplayName { get; }

    public DPoPTokenMetrics Metrics { get; }

    public ILogger Logger { get; }

    /// <summary>
    /// Whether the token source's acquisitions (<c>dpop.token.acquire</c> spans, memory cache lookups) are reported
    /// here; false when its caller reports them with what only it knows (a user session's: the API client and the scheme).
    /// </summary>
    public bool ReportsAcquisitions { get; init; } = true;

    /// <summary>
    /// Whether a failed renewal's exception object goes into the log event; false for a source whose exceptions may
    /// carry what must not be logged (a user session's store failure: a Redis message quotes the key, which holds the session id).
    /// </summary>
    public bool LogsExceptions { get; init; } = true;

    /// <summary>
    /// Telemetry for a token client: its name (or scheme), or its OAuth client id in logs when it has neither;
    /// <paramref name="scheme"/> for a scheme's app tokens and a session's own token requests.
    /// </summary>
    public static DPoPTokenTelemetry Create(
        string? clientName, string? clientId, ILoggerFactory? loggerFactory, System.Diagnostics.Metrics.IMeterFactory? meterFactory, string? scheme = null) =>
        new(clientName, clientName ?? scheme ?? clientId ?? string.Empty, DPoPTokenMetrics.Create(meterFactory),
            loggerFactory?.CreateLogger(DPoPTelemetryNames.TokenClientLogCategory) ?? (ILogger)NullLogger.Instance, scheme);

    /// <summary>Starts the span of one token request (<paramref name="operation"/>: a token request or a revocation).</summary>
    public Activity? StartRequest(string operation, string grantType, Uri endpoint)
    {
        var activity = DPoPActivities.Start(operation, ClientName, endpoint, Scheme);
        activity?.SetTag(DPoPTelemetryNames.GrantType, grantType);
        return activity;
    }

    /// <summary>A token request answered with a token.</summary>
    public void RequestSucceeded(Activity? activity, string grantType, Uri endpoint, long startedAt, DPoPTokenResponse response)
    {
        var elapsed = Stopwatch.GetElapsedTime(startedAt);
        var tags = Tags(grantType, DPoPTelemetryNames.Success);
        Metrics.TokenRequests.Add(1, tags);
        Metrics.TokenRequestDuration.Record(elapsed.TotalSeconds, tags);
        if (activity is not null)
        {
            activity.SetTag(DPoPTelemetryNames.Outcome, DPoPTelemetryNames.Success);
            activity.SetTag(DPoPTelemetryNames.TokenDPoPBound, response.IsDPoPBound);
            activity.Dispose();
        }

        DPoPTokenLog.TokenRequestSucceeded(Logger, DisplayName, grantType, new LoggedOrigin(endpoint), (long)elapsed.TotalMilliseconds, response.IsDPoPBound);
    }

    /// <summary>A token request that failed (an OAuth error, a malformed answer, a transport error, a hook that threw).</summary>
    public void RequestFailed(Activity? activity, string grantType, Uri endpoint, long startedAt, Exception exception)
    {
        var elapsed = Stopwatch.GetElapsedTime(startedAt);
        var errorType = ErrorType(exception);
        var tags = Tags(grantType, DPoPTelemetryNames.Failure);
        tags.Add(DPoPTelemetryNames.ErrorType, errorType);
        Metrics.TokenRequests.Add(1, tags);
        Metrics.TokenRequestDuration.Record(elapsed.TotalSeconds, tags);
        activity?.SetTag(DPoPTelemetryNames.Outcome, DPoPTelemetryNames.Failure);
        DPoPActivities.StopWithError(activity, errorType);
        DPoPTokenLog.TokenRequestFailed(Logger, DisplayName, grantType, new LoggedOrigin(endpoint), errorType, (long)elapsed.TotalMilliseconds);
    }

    /// <summary>A revocation the server accepted.</summary>
    public void Revoked(Activity? activity, Uri endpoint)
    {
        activity?.SetTag(DPoPTelemetryNames.Outcome, DPoPTelemetryNames.Success);
        activity?.Dispose();
        DPoPTokenLog.TokenRevoked(Logger, DisplayName, new LoggedOrigin(endpoint));
    }

    /// <summary>A revocation that failed (an OAuth error, a transport error).</summary>
    public void RevocationFailed(Activity? activity, Uri endpoint, Exception exception)
    {
        var errorType = ErrorType(exception);
        activity?.SetTag(DPoPTelemetryNames.Outcome, DPoPTelemetryNames.Failure);
        DPoPActivities.StopWithError(activity, errorType);
        DPoPTokenLog.RevocationFailed(Logger, DisplayName, new LoggedOrigin(endpoint), errorType);
    }

    /// <summary>Starts the span of getting a token for a request (or through the public token API); without server tags while the endpoint is not known.</summary>
    private Activity? StartAcquire(string grantType, Uri? tokenEndpoint)
    {
        var activity = tokenEndpoint is not null
            ? DPoPActivities.Start(DPoPTelemetryNames.TokenAcquireSpan, ClientName, tokenEndpoint, Scheme)
            : DPoPActivities.Source.StartActivity(DPoPTelemetryNames.TokenAcquireSpan, ActivityKind.Internal);
        if (tokenEndpoint is null)
        {
            OwnerTags(activity);
        }

        activity?.SetTag(DPoPTelemetryNames.GrantType, grantType);
        return activity;
    }

    /// <summary>
    /// A token served from the memory cache: a hit on <c>dpop.token.cache.lookups</c>, and an acquisition span only when
    /// something listens (the hot path stays free of allocations otherwise).
    /// </summary>
    public void ServedFromCache(string grantType, Uri? tokenEndpoint)
    {
        if (!ReportsAcquisitions)
        {
            return;
        }

        CacheLookup(grantType, "memory", hit: true);
        if (DPoPActivities.Source.HasListeners())
        {
            Acquired(StartAcquire(grantType, tokenEndpoint), cacheHit: true);
        }
    }

    /// <summary>
    /// A token that must be waited for (a memory cache miss): the acquisition span is current while
    /// <paramref name="renewal"/> is started, so the token request it may send is the span's child.
    /// </summary>
    public async ValueTask<T> AcquireAsync<T>(string grantType, Uri? tokenEndpoint, Func<Task<T>> renewal, CancellationToken cancellationToken)
    {
        if (!ReportsAcquisitions)
        {
            return await renewal().WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        CacheLookup(grantType, "memory", hit: false);
        var activity = StartAcquire(grantType, tokenEndpoint);
        try
        {
            var result = await renewal().WaitAsync(cancellationToken).ConfigureAwait(false);
            Acquired(activity, cacheHit: false);
            return result;
        }
        catch (Exception ex)
        {
            AcquireFailed(activity, ex);
            throw;
        }
    }

    /// <summary>Ends an acquisition span with a token, served from a cache (<paramref name="cacheHit"/>) or not.</summary>
    public static void Acquired(Activity? activity, bool cacheHit)
    {
        if (activity is not null)
        {
            activity.SetTag(DPoPTelemetryNames.TokenCacheHit, cacheHit);
            activity.SetTag(DPoPTelemetryNames.Outcome, DPoPTelemetryNames.Success);
            activity.Dispose();
        }
    }

    /// <summary>Ends an acquisition span that got no token.</summary>
    public static void AcquireFailed(Activity? activity, Exception exception)
    {
        if (activity is not null)
        {
            activity.SetTag(DPoPTelemetryNames.TokenCacheHit, false);
            activity.SetTag(DPoPTelemetryNames.Outcome, DPoPTelemetryNames.Failure);
            DPoPActivities.StopWithError(activity, ErrorType(exception));
        }
    }

    /// <summary>A lookup in a token cache (<paramref name="tier"/>: <c>memory</c> or <c>shared</c>).</summary>
    public void CacheLookup(string grantType, string tier, bool hit)
    {
        var lookups = Metrics.CacheLookups;
        if (!lookups.Enabled)
        {
            return;
        }

        var tags = new TagList { { DPoPTelemetryNames.GrantType, grantType }, { DPoPTelemetryNames.CacheTier, tier }, { DPoPTelemetryNames.CacheResult, hit ? "hit" : "miss" } };
        OwnerTags(ref tags);
        lookups.Add(1, tags);
    }

    /// <summary>
    /// A failure as an <c>error.type</c> value: the OAuth error code when it is a registered one (<c>_OTHER</c> for any
    /// other server-chosen word, so a server cannot blow up the metric's cardinality), the status code when the server
    /// gave no code, else what <see cref="DPoPActivities.ErrorType"/> says.
    /// </summary>
    public static string ErrorType(Exception exception) =>
        exception is DPoPTokenException token && OAuthErrorTypes.Of(token) is { } errorType ? errorType : DPoPActivities.ErrorType(exception);

    private TagList Tags(string grantType, string outcome)
    {
        var tags = new TagList { { DPoPTelemetryNames.GrantType, grantType }, { DPoPTelemetryNames.Outcome, outcome } };
        OwnerTags(ref tags);
        return tags;
    }

    /// <summary>Whose measurement it is: <c>dpop.client</c> (an API client's) and/or <c>dpop.scheme</c>.</summary>
    private void OwnerTags(ref TagList tags)
    {
        if (ClientName is not null)
        {
            tags.Add(DPoPTelemetryNames.Client, ClientName);
        }

        if (Scheme is not null)
        {
            tags.Add(DPoPTelemetryNames.Scheme, Scheme);
        }
    }

    private void OwnerTags(Activity? activity)
    {
        if (ClientName is not null)
        {
            activity?.SetTag(DPoPTelemetryNames.Client, ClientName);
        }

        if (Scheme is not null)
        {
            activity?.SetTag(DPoPTelemetryNames.Scheme, Scheme);
        }
    }
}
