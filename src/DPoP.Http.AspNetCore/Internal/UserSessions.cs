using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The signed-in users' DPoP sessions: started at sign-in, read by API clients, refreshed once per session
/// however many requests need it at once, ended (and the refresh token revoked) at sign-out. The authentication
/// cookie carries only a random session id; tokens and key live in <see cref="UserSessionStore"/>, so a refresh
/// never needs to rewrite the cookie.
/// </summary>
internal sealed class UserSessions(
    UserSessionStore store,
    SessionKeys keys,
    SchemeEndpoints endpoints,
    RefreshTokenRevocation revocation,
    IOptionsMonitor<DPoPOpenIdConnectOptions> optionsMonitor,
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions,
    IAuthenticationSchemeProvider schemes,
    ILoggerFactory loggerFactory,
    DPoPWebMetrics metrics)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("DPoP.Http.AspNetCore");
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Scheme, string SessionId), Task<UserSession>> _refreshes = [];

    /// <summary>The authentication properties item holding the session id (the cookie protects it).</summary>
    public static string SessionItem(string scheme) => $".dpop.session.{scheme}";

    /// <summary>Stores a new session's tokens and key and puts its id into the sign-in's properties.</summary>
    public async Task StartAsync(string scheme, AuthenticationProperties properties, UserSession session, CancellationToken cancellationToken)
    {
        var sessionId = Base64UrlTextEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await store.SetAsync(scheme, sessionId, session, optionsMonitor.Get(scheme).SessionIdleTimeout, cancellationToken).ConfigureAwait(false);
        properties.Items[SessionItem(scheme)] = sessionId;
        DPoPWebLog.SessionStored(_logger, scheme);
    }

    /// <summary>The current request's session, loaded once per request.</summary>
    /// <exception cref="DPoPSessionExpiredException">No user signed in through the scheme, or the session is gone.</exception>
    public Task<RequestSession> GetRequestSessionAsync(HttpContext context, string scheme)
    {
        var item = $"DPoP.Http.AspNetCore.RequestSession.{scheme}";
        lock (context.Items)
        {
            if (context.Items.TryGetValue(item, out var existing) && existing is Task<RequestSession> task)
            {
                return task;
            }

            var loading = LoadAsync(context, scheme);
            context.Items[item] = loading;
            return loading;
        }
    }

    /// <summary>The user's access token, refreshed first when it is about to expire.</summary>
    public async Task<(string Token, bool DPoPBound, bool Refreshed)> GetAccessTokenAsync(HttpContext context, string scheme, CancellationToken cancellationToken)
    {
        var request = await GetRequestSessionAsync(context, scheme).ConfigureAwait(false);
        var session = request.Current;
        var refreshed = NeedsRefresh(scheme, session);
        if (refreshed)
        {
            session = await RefreshAsync(request, session.AccessToken, "expiring", cancellationToken).ConfigureAwait(false);
        }

        return (session.AccessToken, string.Equals(session.TokenType, DPoPHeaders.AuthorizationScheme, StringComparison.OrdinalIgnoreCase), refreshed);
    }

    /// <summary>The API rejected <paramref name="rejectedToken"/>: refresh, unless another request already has.</summary>
    public async Task OnAccessTokenRejectedAsync(HttpContext context, string scheme, string rejectedToken, CancellationToken cancellationToken)
    {
        DPoPWebLog.AccessTokenRejected(_logger, scheme);
        var request = await GetRequestSessionAsync(context, scheme).ConfigureAwait(false);
        await RefreshAsync(request, rejectedToken, "rejected", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sign-out: revoke the refresh token (when the provider can) and drop the session's tokens and key.</summary>
    public async Task EndAsync(string scheme, string sessionId, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false);
        if (session?.RefreshToken is { } refreshToken)
        {
            await revocation.RevokeAsync(scheme, session, refreshToken, cancellationToken).ConfigureAwait(false);
        }

        await store.RemoveAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false);
        DPoPWebLog.SessionEnded(_logger, scheme);
    }

    private async Task<RequestSession> LoadAsync(HttpContext context, string scheme)
    {
        var signInScheme = oidcOptions.Get(scheme).SignInScheme ?? (await schemes.GetDefaultSignInSchemeAsync().ConfigureAwait(false))?.Name;
        var result = signInScheme is null ? null : await context.AuthenticateAsync(signInScheme).ConfigureAwait(false);
        if (result?.Succeeded != true || result.Properties is null || !result.Properties.Items.TryGetValue(SessionItem(scheme), out var sessionId) || string.IsNullOrEmpty(sessionId))
        {
            throw Expired(scheme, DPoPSessionExpiredReason.NotSignedIn);
        }

        var session = await store.GetAsync(scheme, sessionId, context.RequestAborted).ConfigureAwait(false)
            ?? throw Expired(scheme, DPoPSessionExpiredReason.SessionNotFound);
        var key = await keys.GetForSessionAsync(scheme, session, context.RequestAborted).ConfigureAwait(false);
        if (SessionKeys.IsOwnedByCaller(session))
        {
            context.Response.RegisterForDispose(key);
        }

        return new RequestSession(scheme, sessionId, session, key);
    }

    private bool NeedsRefresh(string scheme, UserSession session)
    {
        var lifetime = session.ExpiresAt - session.IssuedAt;
        var margin = TimeSpan.FromTicks(Math.Min(optionsMonitor.Get(scheme).RefreshBeforeExpiry.Ticks, lifetime.Ticks / 2));
        return endpoints.TimeProvider(scheme).GetUtcNow() >= session.ExpiresAt - margin;
    }

    private async Task<UserSession> RefreshAsync(RequestSession request, string staleAccessToken, string reason, CancellationToken cancellationToken)
    {
        Task<UserSession>? refresh;
        var id = (request.Scheme, request.SessionId);
        lock (_lock)
        {
            // One refresh per session at a time, whichever request asks first; the others wait for its result.
            if (!_refreshes.TryGetValue(id, out refresh))
            {
                refresh = RefreshCoreAsync(request, staleAccessToken, reason);
                _refreshes[id] = refresh;
            }
        }

        var session = await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        request.Current = session;
        return session;
    }

    private async Task<UserSession> RefreshCoreAsync(RequestSession request, string staleAccessToken, string reason)
    {
        var scheme = request.Scheme;
        try
        {
            await Task.Yield(); // leave the lock before any I/O

            // The store, not this request's copy, is the truth: another request (or instance) may have refreshed.
            // The refresh itself is never cancelled by a caller giving up: a rotated refresh token must be stored.
            var current = await store.GetAsync(scheme, request.SessionId, CancellationToken.None).ConfigureAwait(false)
                ?? throw Expired(scheme, DPoPSessionExpiredReason.SessionNotFound);
            if (!string.Equals(current.AccessToken, staleAccessToken, StringComparison.Ordinal) && !NeedsRefresh(scheme, current))
            {
                return current;
            }

            if (current.RefreshToken is not { } refreshToken)
            {
                throw Expired(scheme, DPoPSessionExpiredReason.NoRefreshToken);
            }

            DPoPWebLog.Refreshing(_logger, scheme, reason);
            var issuedAt = endpoints.TimeProvider(scheme).GetUtcNow();
            DPoPTokenResponse response;

            // Its own copy of the key: the request that started the refresh may end (and dispose its copy) before
            // the refresh does, while other requests still wait for it.
            var key = await keys.GetForSessionAsync(scheme, current, CancellationToken.None).ConfigureAwait(false);
            try
            {
                var client = await endpoints.CreateTokenClientAsync(scheme, CancellationToken.None).ConfigureAwait(false);
                using (AmbientDPoPKey.Use(key))
                {
                    response = await client.RefreshTokenAsync(refreshToken, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (DPoPTokenException ex)
            {
                metrics.Refreshes.Add(1, new("dpop.scheme", scheme), new("outcome", ex.Error ?? "error"));
                if (string.Equals(ex.Error, "invalid_grant", StringComparison.Ordinal))
                {
                    await store.RemoveAsync(scheme, request.SessionId, CancellationToken.None).ConfigureAwait(false);
                    throw Expired(scheme, DPoPSessionExpiredReason.RefreshTokenRejected, ex);
                }

                throw;
            }
            finally
            {
                if (SessionKeys.IsOwnedByCaller(current))
                {
                    key.Dispose();
                }
            }

            var updated = new UserSession(
                response.AccessToken,
                response.TokenType,
                response.ExpiresAt,
                issuedAt,
                response.RefreshToken ?? refreshToken,
                response.Scope ?? current.Scope,
                current.PrivateJwk);
            await store.SetAsync(scheme, request.SessionId, updated, optionsMonitor.Get(scheme).SessionIdleTimeout, CancellationToken.None).ConfigureAwait(false);
            metrics.Refreshes.Add(1, new("dpop.scheme", scheme), new("outcome", "success"));
            var rotated = response.RefreshToken is not null && !string.Equals(response.RefreshToken, refreshToken, StringComparison.Ordinal);
            DPoPWebLog.Refreshed(_logger, scheme, rotated);
            return updated;
        }
        finally
        {
            lock (_lock)
            {
                _refreshes.Remove((scheme, request.SessionId));
            }
        }
    }

    private DPoPSessionExpiredException Expired(string scheme, DPoPSessionExpiredReason reason, Exception? inner = null)
    {
        metrics.SessionsExpired.Add(1, new("dpop.scheme", scheme), new("reason", reason.ToString()));
        DPoPWebLog.SessionExpired(_logger, scheme, reason);
        return new DPoPSessionExpiredException(scheme, reason, inner);
    }
}
