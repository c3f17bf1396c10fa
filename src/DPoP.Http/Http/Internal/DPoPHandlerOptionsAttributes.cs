using Microsoft.Extensions.Options;

namespace DPoP.Http.Internal;

/// <summary>
/// The rules of <see cref="DPoPHandlerOptions"/>, stated as attributes on its properties and checked by code the Options
/// source generator writes: used by the handler's constructor (without DI) and, through <see cref="DPoPClientOptions"/>, at start-up.
/// </summary>
[OptionsValidator]
internal sealed partial class DPoPHandlerOptionsAttributes : IValidateOptions<DPoPHandlerOptions>;
