using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Makes every inbound activity of a Blazor Server circuit (an event handler, a JS interop call, a navigation) run in
/// the circuit's <see cref="DPoPUserScope"/> of its user (from <see cref="AuthenticationStateProvider"/>), so
/// <c>AddDPoPUserAccessToken()</c> clients called from components find the user's session without an HttpContext.
/// One scope per circuit user, not per activity: Blazor dispatches a UI event through a fire-and-forget interop call,
/// so the event handler outlives the activity and a scope disposed with the activity would dispose its key mid-call.
/// The scopes (and the session keys they loaded) are disposed with the circuit's service scope.
/// </summary>
internal sealed class DPoPUserCircuitHandler(AuthenticationStateProvider authenticationState) : CircuitHandler, IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<DPoPUserScope> _scopes = [];
    private DPoPUserScope? _current;
    private bool _disposed;

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            var state = await authenticationState.GetAuthenticationStateAsync();
            ScopeFor(state.User)?.Enter(); // flows into the activity and the work it starts; this method's return restores the caller's flow
            await next(context);
        };

    public void Dispose()
    {
        List<DPoPUserScope> scopes;
        lock (_lock)
        {
            _disposed = true;
            scopes = [.. _scopes];
            _scopes.Clear();
            _current = null;
        }

        foreach (var scope in scopes)
        {
            scope.Dispose();
        }
    }

    /// <summary>The circuit's scope for <paramref name="user"/>; a new one when the circuit's user changed (the old one stays until the circuit ends: a handler may still use it).</summary>
    private DPoPUserScope? ScopeFor(ClaimsPrincipal user)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }

            if (_current is null || !ReferenceEquals(_current.User, user))
            {
                _current = DPoPUserScope.Create(user);
                _scopes.Add(_current);
            }

            return _current;
        }
    }
}
