using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DPoP.Http.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The signed-in users' access tokens on the core's token engine: one <see cref="DPoPTokenEngine"/> per OpenID Connect
/// scheme, one entry per session and token (<see cref="TokenTarget"/>). The session's store keeps the tokens, the
/// refresh token and the key; an entry holds the access token as the store had it, decides by its renewal time when to
/// refresh, and makes sure one refresh (<see cref="UserTokenRefresher"/>) runs: inside the renewal window the valid
/// token is served while the refresh runs in the background (after a failure it is tried again with the engine's
/// back-off, never past the token's expiry); a missing, expired or rejected token waits for it.
/// </summary>
/// <remarks>
/// An entry starts with the token of the session its first caller loaded, and is afterwards the truth in this process:
/// a token another instance stored is found by the next refresh, which re-reads the session before it sends anything.
/// </remarks>
internal sealed class UserSessionTokens(
    UserTokenRefresher refresher,
    SchemeEndpoints endpoints,
    IOptionsMonitor<DPoPOpenIdConnectOptions> optionsMonitor,
    ILoggerFactory loggerFactory,
    DPoPWebMetrics metrics,
    IMeterFactory? meterFactory = null)
{
    private readonly ConcurrentDictionary<string, DPoPTokenEngine> _engines = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger(DPoPTelemetryNames.WebLogCategory);
    private readonly UserTokenRefresher _refresher = refresher;
    private readonly SchemeEndpoints _endpoints = endpoints;
    private readonly DPoPWebMetrics _metrics = metrics;

    /// <summary>The session's token for <paramref name="target"/>, and whether it had to be waited for (not yet obtained, expired or rejected).</summary>
    public async ValueTask<(DPoPTokenResponse Token, bool Refreshed)> GetAsync(RequestSession request, TokenTarget target, CancellationToken cancellationToken)
    {
        var entry = Entry(request, target);
        return entry.Cached() is { } token
            ? (token.Response, false)
            : ((await entry.GetTokenAsync(cancellationToken).ConfigureAwait(false)).Response, true);
    }

    /// <summary>The API rejected <paramref name="rejectedToken"/>: dropped, and refreshed unless the entry already holds another token.</summary>
    public async Task OnRejectedAsync(RequestSession request, string rejectedToken, TokenTarget target, CancellationToken cancellationToken)
    {
        var entry = Entry(request, target);
        if (entry.OnRejected(rejectedToken))
        {
            await entry.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A refresh even of a valid token: joins the one in flight, or starts one.</summary>
    public async Task<DPoPTokenResponse> RenewAsync(RequestSession request, TokenTarget target, CancellationToken cancellationToken) =>
        (await Entry(request, target).RenewAsync(cancellationToken).ConfigureAwait(false)).Response;

    private DPoPTokenEntry Entry(RequestSession request, TokenTarget target)
    {
        var engine = _engines.GetOrAdd(request.Scheme, static (scheme, owner) => owner.CreateEngine(scheme), this);
        var key = target.Key is { } resource ? $"{request.SessionId}\n{resource}" : request.SessionId;
        return engine.GetOrAdd(key, static s => new Renewal(s.Owner, s.Engine, s.Request, s.Target).Entry, (Owner: this, Engine: engine, Request: request, Target: target));
    }

    private DPoPTokenEngine CreateEngine(string scheme)
    {
        // The engine's log events name the scheme's sessions; its tags carry the scheme and never a client name
        // (dpop.client is an API client's). Acquisitions are traced by the API client's provider
        // (UserAccessTokenProvider), which knows the client's name and the scheme.
        var name = $"{scheme} (user sessions)";
        var logger = loggerFactory.CreateLogger(DPoPTelemetryNames.TokensLogCategory);
        var telemetry = new DPoPTokenTelemetry(clientName: null, name, DPoPTokenMetrics.Create(meterFactory), logger, scheme) { ReportsAcquisitions = false, LogsExceptions = false };
        return new DPoPTokenEngine(name, "refresh_token", tokenEndpoint: null, new DPoPTokenClientOptions(), _endpoints.TimeProvider(scheme), logger, telemetry, sharedCache: null);
    }

    /// <summary>A session's token as the engine holds it: no refresh token, no key (both stay in the store).</summary>
    private DPoPCachedToken? ToCached(string scheme, SessionAccessToken? token) => token is null
        ? null
        : new DPoPCachedToken(
            new DPoPTokenResponse(token.AccessToken, token.TokenType, token.ExpiresAt, expiresIn: null, refreshToken: null, token.Scope),
            token.RenewAt(optionsMonitor.Get(scheme).RefreshBeforeExpiry),
            key: null);

    /// <summary>The renewal of one entry: the session's refresh, past the last token the entry held.</summary>
    private sealed class Renewal
    {
        private readonly UserSessionTokens _owner;
        private readonly DPoPTokenEngine _engine;
        private readonly string _scheme;
        private readonly string _sessionId;
        private readonly TokenTarget _target;
        private string? _held; // the token to move past, even once dropped (rejected): only renewals, one at a time, write it

        public Renewal(UserSessionTokens owner, DPoPTokenEngine engine, RequestSession request, TokenTarget target)
        {
            _owner = owner;
            _engine = engine;
            _scheme = request.Scheme;
            _sessionId = request.SessionId;
            _target = target;
            var held = owner.ToCached(_scheme, request.Current.TokenFor(target));
            _held = held?.Response.AccessToken;
            Entry = new DPoPTokenEntry(engine, RenewAsync, held);
        }

        public DPoPTokenEntry Entry { get; }

        private async Task<DPoPCachedToken> RenewAsync()
        {
            UserSession session;
            try
            {
                session = await _owner._refresher.RefreshAsync(_scheme, _sessionId, _held, Reason(), _target).ConfigureAwait(false);
            }
            catch (DPoPSessionExpiredException)
            {
                Entry.Clear(); // ended (signed out, refused): its token is not served any longer
                throw;
            }

            var token = _owner.ToCached(_scheme, session.TokenFor(_target))
                ?? throw UserSessions.Expired(_owner._logger, _owner._metrics, _scheme, DPoPSessionExpiredReason.SessionNotFound);
            _held = token.Response.AccessToken;
            _engine.TokenEndpoint ??= await _owner._endpoints.GetTokenEndpointAsync(_scheme, CancellationToken.None).ConfigureAwait(false);
            return token;
        }

        /// <summary>Why the refresh runs, for its log event.</summary>
        private string Reason()
        {
            var now = _engine.TimeProvider.GetUtcNow();
            return Entry.Current switch
            {
                null => _held is null ? "resource" : "rejected",
                { } token when now >= token.ExpiresAt => "expired",
                { } token when now >= token.RenewAt => "expiring",
                _ => "renewal",
            };
        }
    }
}
