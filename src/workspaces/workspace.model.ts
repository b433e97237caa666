import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A tenant: every stored record carries its id, and every query is scoped by it. */
@Schema({ collection: 'workspaces', versionKey: false })
export class Workspace {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  name!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const WorkspaceSchema = SchemaFactory.createForClass(Workspace);
