using System.Security.Claims;
using DPoP.Http.AspNetCore.Internal;

namespace DPoP.Http.AspNetCore;

/// <summary>
/// Names the user whose access token <c>AddDPoPUserAccessToken()</c> HttpClients send where there is no HttpContext of
/// that user's request: a Blazor Server circuit (set it from the circuit's <c>AuthenticationState.User</c>), work
/// queued from a request (a principal captured before), a SignalR hub method. It flows with the async calls started
/// inside it (an <see cref="AsyncLocal{T}"/>) and comes before the current HttpContext. The session is found from the
/// principal's session claim (added at sign-in, protected), loaded once per scope and scheme.
/// </summary>
/// <example><code>
/// using (DPoPUserScope.Begin(user))
/// {
///     var orders = await api.GetFromJsonAsync&lt;Order[]&gt;("orders");
/// }
/// </code></example>
public sealed class DPoPUserScope : IDisposable
{
    private static readonly AsyncLocal<DPoPUserScope?> Ambient = new();

    private readonly DPoPUserScope? _previous;
    private readonly Dictionary<string, Task<RequestSession>> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _disposed;

    private DPoPUserScope(ClaimsPrincipal user, DPoPUserScope? previous)
    {
        User = user;
        _previous = previous;
    }

    /// <summary>The user the HttpClients act for inside this scope.</summary>
    public ClaimsPrincipal User { get; }

    /// <summary>The innermost scope of the current async flow, if any.</summary>
    internal static DPoPUserScope? Current => Ambient.Value;

    /// <summary>
    /// Makes <paramref name="user"/> the user of the <c>AddDPoPUserAccessToken()</c> HttpClients called in this async flow
    /// until the returned scope is disposed. Dispose it after those calls have completed: it clears the session keys it loaded.
    /// </summary>
    /// <param name="user">The signed-in user.</param>
    /// <returns>The scope; dispose it to restore the previous one.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="user"/> is null.</exception>
    public static DPoPUserScope Begin(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var scope = new DPoPUserScope(user, Ambient.Value);
        Ambient.Value = scope;
        return scope;
    }

    /// <summary>
    /// A scope that is not yet current anywhere: a Blazor Server circuit's, made current by <see cref="Enter"/> in each
    /// of the circuit's inbound activities (whose event handlers may outlive the activity) and disposed with the circuit.
    /// </summary>
    internal static DPoPUserScope Create(ClaimsPrincipal user) => new(user, previous: null);

    /// <summary>Makes this scope the current one for the rest of the calling async flow and the work it starts.</summary>
    internal void Enter() => Ambient.Value = this;

    /// <summary>Restores the previous scope and clears the per-session keys this scope loaded.</summary>
    public void Dispose()
    {
        List<Task<RequestSession>> loaded;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loaded = [.. _sessions.Values];
            _sessions.Clear();
        }

        if (ReferenceEquals(Ambient.Value, this))
        {
            Ambient.Value = _previous;
        }

        foreach (var session in loaded)
        {
            if (session.IsCompletedSuccessfully && session.Result.OwnsKey)
            {
                session.Result.Key.Dispose();
            }
        }
    }

    /// <summary>The scope's session of <paramref name="scheme"/>, loaded once.</summary>
    internal Task<RequestSession> GetSessionAsync(string scheme, Func<Task<RequestSession>> load)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_sessions.TryGetValue(scheme, out var session) || session.IsFaulted || session.IsCanceled)
            {
                session = load();
                _sessions[scheme] = session;
            }

            return session;
        }
    }

    /// <summary>Names no user or token.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() => "DPoPUserScope";
}
