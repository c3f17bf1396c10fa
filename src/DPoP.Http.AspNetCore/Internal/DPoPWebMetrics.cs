using System.Diagnostics.Metrics;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The package's instruments, on the same <c>DPoP.Http</c> meter as the core library's (IMeterFactory hands out
/// one meter per name). Tagged <c>dpop.scheme</c> (the OpenID Connect scheme) and <c>outcome</c>; never a token.
/// </summary>
internal sealed class DPoPWebMetrics
{
    public const string MeterName = "DPoP.Http";

    public DPoPWebMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        CodeExchanges = meter.CreateCounter<long>("dpop.code_exchanges", "{exchange}", "Authorization codes redeemed for DPoP-bound tokens at sign-in (tag outcome: success or the OAuth error).");
        Refreshes = meter.CreateCounter<long>("dpop.user_token.refreshes", "{refresh}", "Refresh token grants sent for signed-in users' sessions (tag outcome: success or the OAuth error).");
        Revocations = meter.CreateCounter<long>("dpop.user_token.revocations", "{revocation}", "Refresh tokens revoked at sign-out (tag outcome: success or failure).");
        SessionsExpired = meter.CreateCounter<long>("dpop.user_sessions.expired", "{session}", "Requests for a user token that found the session unusable (tag reason).");
    }

    public Counter<long> CodeExchanges { get; }

    public Counter<long> Refreshes { get; }

    public Counter<long> Revocations { get; }

    public Counter<long> SessionsExpired { get; }
}
