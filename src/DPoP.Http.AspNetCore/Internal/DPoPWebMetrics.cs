using System.Diagnostics;
using System.Diagnostics.Metrics;
using DPoP.Http.Internal;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The package's instruments, on the same <c>DPoP.Http</c> meter as the core library's (IMeterFactory hands out
/// one meter per name), on the core's contract: tagged <c>dpop.scheme</c> (the OpenID Connect scheme) and
/// <c>dpop.outcome</c> (<c>success</c> / <c>failure</c>) with a bounded <c>error.type</c> on failures
/// (<see cref="OAuthErrorTypes"/>); never a token, never a word the server chose.
/// </summary>
internal sealed class DPoPWebMetrics
{
    public DPoPWebMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(DPoPTelemetryNames.Meter);
        CodeExchanges = meter.CreateCounter<long>(DPoPTelemetryNames.CodeExchanges, "{exchange}", "Authorization codes redeemed for DPoP-bound tokens at sign-in (tags dpop.outcome, error.type on failures).");
        Refreshes = meter.CreateCounter<long>(DPoPTelemetryNames.UserTokenRefreshes, "{refresh}", "Refresh token grants sent for signed-in users' sessions (tags dpop.outcome, error.type on failures).");
        Revocations = meter.CreateCounter<long>(DPoPTelemetryNames.UserTokenRevocations, "{revocation}", "Refresh tokens revoked when a session ends (tags dpop.outcome, error.type on failures).");
        SessionsExpired = meter.CreateCounter<long>(DPoPTelemetryNames.UserSessionsExpired, "{session}", "Requests for a user token that found the session unusable (tag dpop.reason).");
    }

    public Counter<long> CodeExchanges { get; }

    public Counter<long> Refreshes { get; }

    public Counter<long> Revocations { get; }

    public Counter<long> SessionsExpired { get; }

    /// <summary>
    /// A failure as an <c>error.type</c> value: a registered OAuth code, <c>_OTHER</c> or the HTTP status for a token
    /// endpoint's answer; <c>timeout</c> for a bound that ran out; else the exception's type (ours or the runtime's:
    /// a closed set).
    /// </summary>
    public static string ErrorType(Exception exception) => exception switch
    {
        DPoPTokenException token when OAuthErrorTypes.Of(token) is { } errorType => errorType,
        TimeoutException or OperationCanceledException { InnerException: TimeoutException } => "timeout",
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };

    /// <summary>Counts one event of <paramref name="counter"/>: a success, or a failure with its <c>error.type</c>.</summary>
    public static void Record(Counter<long> counter, string scheme, Exception? failure = null)
    {
        if (!counter.Enabled)
        {
            return;
        }

        var tags = new TagList { { DPoPTelemetryNames.Scheme, scheme }, { DPoPTelemetryNames.Outcome, failure is null ? DPoPTelemetryNames.Success : DPoPTelemetryNames.Failure } };
        if (failure is not null)
        {
            tags.Add(DPoPTelemetryNames.ErrorType, ErrorType(failure));
        }

        counter.Add(1, tags);
    }

    /// <summary>Counts a session found unusable, tagged with why (an enum name: a closed set).</summary>
    public void RecordExpired(string scheme, DPoPSessionExpiredReason reason) =>
        SessionsExpired.Add(1, new(DPoPTelemetryNames.Scheme, scheme), new(DPoPTelemetryNames.Reason, reason.ToString()));
}
