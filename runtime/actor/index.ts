// runtime/actor/: ThreeBot's package_manager actor, independent of the door
// (HTTP in api/routes/actors.ts, the Redis protocol in resp/) that carries it.

export {
  ACTOR_METHODS,
  type ActorMethod,
  callActor,
  isActorMethod,
  isReadMethod,
  packageAddSchema,
  packageNameSchema,
  packagesListSchema,
} from "./package_manager_actor.ts";
