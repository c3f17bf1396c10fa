using System.Security.Claims;
using System.Security.Cryptography;
using DPoP.Http.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The signed-in users' DPoP sessions: started at sign-in, read by API clients, refreshed once per session
/// however many requests need it at once (<see cref="UserSessionTokens"/>), ended (and the refresh token revoked) at
/// sign-out or at a new sign-in in the same browser. The authentication cookie carries only a random session id;
/// tokens and key live in <see cref="UserSessionStore"/>, so a refresh never needs to rewrite the cookie.
/// </summary>
internal sealed class UserSessions(
    UserSessionStore store,
    SessionKeys keys,
    UserSessionTokens tokens,
    RefreshTokenRevocation revocation,
    IOptionsMonitor<DPoPOpenIdConnectOptions> optionsMonitor,
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions,
    IAuthenticationSchemeProvider schemes,
    IHttpContextAccessor accessor,
    SessionClaims sessionClaims,
    ILoggerFactory loggerFactory,
    DPoPWebMetrics metrics)
{
    /// <summary>How long a tombstone outlives the store operations of a refresh that read the session before it (they finish within seconds on a healthy store).</summary>
    private static readonly TimeSpan StoreAllowance = TimeSpan.FromMinutes(5);

    private readonly ILogger _logger = loggerFactory.CreateLogger(DPoPTelemetryNames.WebLogCategory);

    /// <summary>The authentication properties item holding the session id (the cookie protects it).</summary>
    public static string SessionItem(string scheme) => $".dpop.session.{scheme}";

    /// <summary>
    /// How long an ended session's tombstone stays: longer than any refresh can take from its read of the session to
    /// its last look at the tombstone (the grant is bounded by RefreshTimeout; the store writes after it are not).
    /// </summary>
    public static TimeSpan TombstoneLifetime(DPoPOpenIdConnectOptions options) => options.RefreshTimeout + StoreAllowance;

    /// <summary>
    /// Stores a new session's tokens and key and puts its id into the sign-in's properties and, protected, into a
    /// claim of the principal (see <see cref="SessionClaims"/>).
    /// </summary>
    public async Task StartAsync(string scheme, AuthenticationProperties properties, ClaimsPrincipal? principal, UserSession session, CancellationToken cancellationToken)
    {
        var sessionId = Base64UrlTextEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await store.SetAsync(scheme, sessionId, session, optionsMonitor.Get(scheme).SessionIdleTimeout, cancellationToken).ConfigureAwait(false);
        properties.Items[SessionItem(scheme)] = sessionId;
        if (principal?.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(sessionClaims.Create(scheme, sessionId));
        }

        DPoPWebLog.SessionStored(_logger, scheme);
    }

    /// <summary>The current request's session, loaded once per request.</summary>
    /// <exception cref="DPoPSessionExpiredException">No user signed in through the scheme, or the session is gone.</exception>
    /// <exception cref="InvalidOperationException">The session store failed.</exception>
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

    /// <summary>
    /// The session of the user the HttpClients act for: the <see cref="DPoPUserScope"/>'s if one is set, else the
    /// current request's.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither a user scope nor an HttpContext.</exception>
    public Task<RequestSession> GetCurrentSessionAsync(string scheme, string clientName)
    {
        if (DPoPUserScope.Current is { } scope)
        {
            return scope.GetSessionAsync(scheme, () => GetUserSessionAsync(scope.User, scheme, CancellationToken.None));
        }

        return accessor.HttpContext is { } context
            ? GetRequestSessionAsync(context, scheme)
            : throw new InvalidOperationException(
                $"HttpClient '{clientName}' sends the signed-in user's access token (AddDPoPUserAccessToken()), so it must be used while handling that user's request or inside a DPoPUserScope naming the user; there is neither a current HttpContext nor a DPoPUserScope.");
    }

    /// <summary>
    /// The session <paramref name="user"/>'s session claim names (or, for a cookie issued before that claim, the
    /// current request's when <paramref name="user"/> is its user), with a key of its own the caller disposes.
    /// </summary>
    /// <exception cref="DPoPSessionExpiredException">No session, or it is gone.</exception>
    public async Task<RequestSession> GetUserSessionAsync(ClaimsPrincipal user, string scheme, CancellationToken cancellationToken)
    {
        var sessionId = await FindSessionIdAsync(user, scheme).ConfigureAwait(false);
        var (session, key) = await LoadAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false);
        return new RequestSession(scheme, sessionId, session, key, SessionKeys.IsOwnedByCaller(session));
    }

    /// <summary>The session id <paramref name="user"/> names for <paramref name="scheme"/>.</summary>
    /// <exception cref="DPoPSessionExpiredException">It names none (<see cref="DPoPSessionExpiredReason.NotSignedIn"/>).</exception>
    public async Task<string> FindSessionIdAsync(ClaimsPrincipal user, string scheme)
    {
        var sessionId = sessionClaims.Read(user, scheme);
        if (sessionId is null && accessor.HttpContext is { } context && ReferenceEquals(context.User, user))
        {
            sessionId = await FindSessionIdAsync(context, scheme).ConfigureAwait(false);
        }

        return sessionId ?? throw Expired(_logger, metrics, scheme, DPoPSessionExpiredReason.NotSignedIn);
    }

    /// <summary>
    /// The session's access token for <paramref name="target"/>: obtained or refreshed first when missing or expired,
    /// refreshed in the background when about to expire; and whether it was waited for.
    /// </summary>
    public ValueTask<(DPoPTokenResponse Token, bool Refreshed)> GetAccessTokenAsync(RequestSession request, TokenTarget target, CancellationToken cancellationToken) =>
        tokens.GetAsync(request, target, cancellationToken);

    /// <summary>The API rejected <paramref name="rejectedToken"/>: refresh, unless another request already has.</summary>
    public async Task OnAccessTokenRejectedAsync(RequestSession request, string rejectedToken, TokenTarget target, CancellationToken cancellationToken)
    {
        DPoPWebLog.AccessTokenRejected(_logger, request.Scheme);
        await tokens.OnRejectedAsync(request, rejectedToken, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A refresh asked for by the app (<see cref="IDPoPUserAccessTokens.RenewAccessTokenAsync"/>), even of a valid token.</summary>
    public Task<DPoPTokenResponse> RenewAsync(RequestSession request, TokenTarget target, CancellationToken cancellationToken)
    {
        DPoPWebLog.RenewalRequested(_logger, request.Scheme);
        return tokens.RenewAsync(request, target, cancellationToken);
    }

    /// <summary>
    /// Ends a session for good (sign-out, or a new sign-in in its browser): tombstone, then read, revoke (bounded by
    /// RevocationTimeout) and remove, in that order (see <see cref="UserTokenRefresher"/>). Not cancelled by the
    /// browser leaving: a sign-out half done would leave the refresh token alive.
    /// </summary>
    public async Task EndAsync(string scheme, string sessionId)
    {
        await store.MarkEndedAsync(scheme, sessionId, TombstoneLifetime(optionsMonitor.Get(scheme)), CancellationToken.None).ConfigureAwait(false);
        var session = await store.GetAsync(scheme, sessionId, CancellationToken.None, evenIfEnded: true).ConfigureAwait(false);
        if (session?.RefreshToken is { } refreshToken)
        {
            await revocation.RevokeAsync(scheme, session, refreshToken, CancellationToken.None).ConfigureAwait(false);
        }

        await store.RemoveAsync(scheme, sessionId, CancellationToken.None).ConfigureAwait(false);
        DPoPWebLog.SessionEnded(_logger, scheme);
    }

    /// <summary>
    /// At a new sign-in's challenge: ends the session the browser's authentication cookie still names for
    /// <paramref name="scheme"/>, so signing in again without signing out leaves no live refresh token behind.
    /// </summary>
    public async Task EndPreviousAsync(HttpContext context, string scheme)
    {
        if (await FindSessionIdAsync(context, scheme).ConfigureAwait(false) is { } previous)
        {
            DPoPWebLog.PreviousSessionEnding(_logger, scheme);
            await EndAsync(scheme, previous).ConfigureAwait(false);
        }
    }

    /// <summary>Counts, logs and creates the exception of a session that cannot get a token.</summary>
    public static DPoPSessionExpiredException Expired(ILogger logger, DPoPWebMetrics metrics, string scheme, DPoPSessionExpiredReason reason, Exception? inner = null)
    {
        metrics.RecordExpired(scheme, reason);
        DPoPWebLog.SessionExpired(logger, scheme, reason);
        return new DPoPSessionExpiredException(scheme, reason, inner);
    }

    /// <summary>The session id the request's sign-in cookie carries for <paramref name="scheme"/>, if any.</summary>
    private async Task<string?> FindSessionIdAsync(HttpContext context, string scheme)
    {
        var signInScheme = oidcOptions.Get(scheme).SignInScheme ?? (await schemes.GetDefaultSignInSchemeAsync().ConfigureAwait(false))?.Name;
        var result = signInScheme is null ? null : await context.AuthenticateAsync(signInScheme).ConfigureAwait(false);
        return result?.Succeeded == true && result.Properties is not null && result.Properties.Items.TryGetValue(SessionItem(scheme), out var sessionId) && !string.IsNullOrEmpty(sessionId)
            ? sessionId
            : null;
    }

    private async Task<RequestSession> LoadAsync(HttpContext context, string scheme)
    {
        var sessionId = await FindSessionIdAsync(context, scheme).ConfigureAwait(false)
            ?? throw Expired(_logger, metrics, scheme, DPoPSessionExpiredReason.NotSignedIn);
        var (session, key) = await LoadAsync(scheme, sessionId, context.RequestAborted).ConfigureAwait(false);
        if (SessionKeys.IsOwnedByCaller(session))
        {
            context.Response.RegisterForDispose(key);
        }

        return new RequestSession(scheme, sessionId, session, key);
    }

    private async Task<(UserSession Session, DPoPKey Key)> LoadAsync(string scheme, string sessionId, CancellationToken cancellationToken)
    {
        var session = await store.GetAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw Expired(_logger, metrics, scheme, await store.GoneReasonAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false));
        return (session, await keys.GetForSessionAsync(scheme, session, cancellationToken).ConfigureAwait(false));
    }
}
