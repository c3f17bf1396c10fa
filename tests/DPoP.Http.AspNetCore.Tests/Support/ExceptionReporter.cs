using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// The outermost middleware of a test app: an exception the app did not handle is answered 500 with
/// "type|message|inner type", so a test can see what the app's code would have caught.
/// </summary>
internal sealed class ExceptionReporter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            try
            {
                await nextMiddleware(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsync($"{ex.GetType().FullName}|{ex.Message}|{ex.InnerException?.GetType().FullName}");
            }
        });
        next(app);
    };
}
