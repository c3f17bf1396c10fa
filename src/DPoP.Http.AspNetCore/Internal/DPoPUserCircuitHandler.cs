using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Runs every inbound activity of a Blazor Server circuit (an event handler, a JS interop call, a navigation) inside a
/// <see cref="DPoPUserScope"/> of the circuit's user, so <c>AddUserAccessToken()</c> clients called from components
/// find the user's session without an HttpContext. The user is read from <see cref="AuthenticationStateProvider"/>
/// when the activity starts; the scope ends when the activity has completed.
/// </summary>
internal sealed class DPoPUserCircuitHandler(AuthenticationStateProvider authenticationState) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            var state = await authenticationState.GetAuthenticationStateAsync();
            using (DPoPUserScope.Begin(state.User))
            {
                await next(context);
            }
        };
}
