namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>Marks the database backend, whatever its context type, so a transactional enqueue can tell it from the others.</summary>
internal interface IEntityFrameworkJobBackend;
